"""Reading what a content package is: its learning standard, title, metadata, activity tree
and the launch of each activity.

One parser per standard, chosen by what sits at the package root: `imsmanifest.xml` (SCORM
1.1/1.2/2004), `cmi5.xml` (cmi5), AICC course files (`.crs` + `.au`, or `.cst`), `tincan.xml`
(xAPI). A package whose files all sit in one top folder is read from that folder, with a
warning. XML goes through defusedxml, which refuses entity declarations and external
references outright. Imperfections a player can live with (a missing file, no
`schemaversion`, a byte order mark, a legacy encoding) become parser warnings; what leaves
nothing to launch fails the import.

Activities are kept in the wire shape of the spec's `CourseActivitySchema`.
"""

import codecs
import csv
import io
import posixpath
import re
from dataclasses import dataclass, field
from urllib.parse import unquote, urljoin, urlsplit
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET
from django.conf import settings

from vle.content.archive import Package, PackageError
from vle.content.models import LearningStandard

# Activity trees deeper than this are refused (nobody nests items this far; a hostile package
# would only do it to exhaust the stack).
MAX_DEPTH = 64
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

SCORM_EDITIONS = {
    "1.1": LearningStandard.SCORM11,
    "1.2": LearningStandard.SCORM12,
    "cam 1.3": LearningStandard.SCORM20042NDEDITION,
    "2004 2nd edition": LearningStandard.SCORM20042NDEDITION,
    "2004 3rd edition": LearningStandard.SCORM20043RDEDITION,
    "2004 4th edition": LearningStandard.SCORM20044THEDITION,
}


class ActivityType:
    AGGREGATION = "AGGREGATION"
    SCO = "SCO"
    ASSET = "ASSET"


@dataclass
class ParsedCourse:
    """What an import learned about a package."""

    learning_standard: str
    title: str
    root_activity: dict
    launch_path: str
    xapi_activity_id: str = ""
    metadata: dict = field(default_factory=dict)
    languages: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def activity(
    *,
    kind: str,
    title: str,
    identifier: str = "",
    resource: str = "",
    href: str = "",
    passing: str | None = None,
    children: list | None = None,
) -> dict:
    node = {
        "externalIdentifier": identifier,
        "itemIdentifier": identifier,
        "resourceIdentifier": resource,
        "activityType": kind,
        "href": href,
        "title": title,
        "children": children or [],
    }
    if passing is not None:
        node["scaledPassingScore"] = passing
    return node


def first_launch(node: dict) -> str:
    """The launch of the first launchable activity, in document order."""
    pending = [node]
    while pending:
        current = pending.pop(0)
        if current["activityType"] != ActivityType.AGGREGATION and current["href"]:
            return current["href"]
        pending[:0] = current["children"]
    return ""


def course_parsed(
    *,
    standard: str,
    title: str,
    identifier: str,
    kids: list[dict],
    warnings: list[str],
    metadata: dict | None = None,
    languages: list[str] | None = None,
    xapi_activity_id: str = "",
) -> ParsedCourse:
    """A course titled `title` whose root aggregates `kids`, launched at the first of them
    that can be launched; metadata without empty values."""
    root = activity(
        kind=ActivityType.AGGREGATION, title=title, identifier=identifier, children=kids
    )
    return ParsedCourse(
        learning_standard=standard,
        title=title,
        root_activity=root,
        launch_path=first_launch(root),
        xapi_activity_id=xapi_activity_id,
        metadata={key: value for key, value in (metadata or {}).items() if value},
        languages=languages or [],
        warnings=warnings,
    )


# --- XML ------------------------------------------------------------------------------------


def xml_parse(package: Package, path: str, warnings: list[str]) -> Element:
    """Parse one XML file of the package with defusedxml (see the module docstring)."""
    data = package.read(path, limit=settings.COURSE_IMPORT_MAX_XML_BYTES)
    if data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        warnings.append(f"{path} starts with a byte order mark.")
    try:
        return _xml_from(data, path)
    except ParseError as error:
        legacy = _as_legacy_encoding(data)
        if legacy is None:
            raise PackageError(f"{path} is not well-formed XML ({error}).") from error
        warnings.append(f"{path} is not valid UTF-8; it was read as Windows-1252.")
        try:
            return _xml_from(legacy, path)
        except ParseError as again:
            raise PackageError(f"{path} is not well-formed XML ({again}).") from again


def _xml_from(data: bytes, path: str) -> Element:
    try:
        return SafeET.fromstring(data)
    except DefusedXmlException as error:
        raise PackageError(
            f"{path} declares XML entities or external references, which are refused."
        ) from error


def _as_legacy_encoding(data: bytes) -> bytes | None:
    """Bytes declared (or assumed) UTF-8 but really Windows-1252, re-encoded as UTF-8."""
    try:
        data.decode("utf-8")
        return None
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    text = re.sub(r"^(<\?xml[^>]*?)encoding=[\"'][^\"']*[\"']", r"\1", text, count=1)
    return text.encode("utf-8")


def local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def children(element: Element | None, name: str) -> list[Element]:
    if element is None:
        return []
    return [child for child in element if local(child.tag) == name]


def child(element: Element | None, name: str) -> Element | None:
    if element is None:
        return None
    return next((c for c in element if local(c.tag) == name), None)


def text(element: Element | None) -> str:
    return (element.text or "").strip() if element is not None else ""


def attribute(element: Element, name: str) -> str:
    """An attribute by its local name, any namespace, any letter case (SCORM 1.2 spells
    `adlcp:scormtype`, SCORM 2004 `adlcp:scormType`)."""
    wanted = name.lower()
    for key, value in element.attrib.items():
        if local(key).lower() == wanted:
            return value.strip()
    return ""


def langstring(element: Element | None) -> tuple[str, str]:
    """(text, language) of a LOM/cmi5 `<string>`/`<langstring>` holder, or of plain text."""
    if element is None:
        return "", ""
    for holder in element:
        if local(holder.tag) in {"string", "langstring", "langString"}:
            lang = holder.get("language") or holder.get("lang") or holder.get(XML_LANG) or ""
            return text(holder), lang
    return text(element), element.get("lang") or element.get(XML_LANG) or ""


# --- paths ----------------------------------------------------------------------------------


def join_parameters(href: str, parameters: str) -> str:
    """An item's `parameters` added to its resource's href (SCORM CAM rules: a leading `?` or
    `&` joins the query, a leading `#` is a fragment, anything else starts or joins the
    query)."""
    parameters = parameters.strip()
    if not parameters:
        return href
    if parameters.startswith("#"):
        return href if "#" in href else href + parameters
    parameters = parameters.lstrip("?&")
    if not parameters:
        return href
    href, hash_mark, fragment = href.partition("#")
    separator = "&" if "?" in href else "?"
    return f"{href}{separator}{parameters}{hash_mark}{fragment}"


def join_base(*parts: str) -> str:
    """`xml:base` values and an href, joined the way a browser resolves them."""
    result = ""
    for part in parts:
        if part:
            result = urljoin(result, part) if result else part
    return result


def is_external(href: str) -> bool:
    return bool(urlsplit(href).scheme)


def check_local_file(package: Package, href: str, owner: str, warnings: list[str]) -> None:
    """Warn when a launch path names a file the package does not have."""
    if not href or is_external(href):
        return
    path = posixpath.normpath(unquote(urlsplit(href).path)).lstrip("/")
    if path.startswith("../"):
        warnings.append(f"The launch of {owner} ('{href}') points outside the package.")
        return
    found = package.find(path)
    if found is None:
        warnings.append(f"The launch file of {owner} ('{path}') is not in the package.")
    elif found != path:
        warnings.append(f"The launch file of {owner} is '{found}', spelled '{path}'.")


# --- detection ------------------------------------------------------------------------------

MARKERS = ("imsmanifest.xml", "cmi5.xml", "tincan.xml")


def _root_files(names: list[str]) -> dict[str, str]:
    return {name.lower(): name for name in names if "/" not in name}


def _has_aicc(root: dict[str, str]) -> bool:
    extensions = {posixpath.splitext(name)[1] for name in root}
    return {".crs", ".au"} <= extensions or ".cst" in extensions


def package_parse(package: Package, *, fallback_title: str) -> ParsedCourse:
    """Detect the standard of a checked package and parse it."""
    warnings: list[str] = []
    root = _root_files(package.names())
    if not any(marker in root for marker in MARKERS) and not _has_aicc(root):
        tops = {name.split("/", 1)[0] for name in package.names()}
        if len(tops) == 1 and all("/" in name for name in package.names()):
            top = tops.pop()
            package.rebase(f"{top}/")
            root = _root_files(package.names())
            warnings.append(f"The package's files are inside the folder '{top}'; read from there.")
    if "imsmanifest.xml" in root:
        parsed = parse_scorm(package, root["imsmanifest.xml"], fallback_title, warnings)
    elif "cmi5.xml" in root:
        parsed = parse_cmi5(package, root["cmi5.xml"], fallback_title, warnings)
    elif _has_aicc(root):
        parsed = parse_aicc(package, root, fallback_title, warnings)
    elif "tincan.xml" in root:
        parsed = parse_tincan(package, root["tincan.xml"], fallback_title, warnings)
    else:
        raise PackageError(
            "No imsmanifest.xml, cmi5.xml, tincan.xml or AICC course files (.crs/.au/.cst) "
            "were found at the root of the package."
        )
    if not parsed.launch_path:
        raise PackageError("The package has no activity that can be launched.")
    parsed.languages = sorted({lang for lang in parsed.languages if lang})
    return parsed


# --- SCORM ----------------------------------------------------------------------------------


def _scorm_standard(manifest: Element, warnings: list[str]) -> str:
    metadata = child(manifest, "metadata")
    version = text(child(metadata, "schemaversion")).lower()
    if version in SCORM_EDITIONS:
        return SCORM_EDITIONS[version]
    namespaces = {tag.split("}")[0].lstrip("{") for tag in _all_tags(manifest) if "}" in tag}
    namespaces |= {key.split("}")[0].lstrip("{") for key in _all_attributes(manifest)}
    if any("adlcp_v1p3" in ns or "imsss" in ns for ns in namespaces):
        standard = LearningStandard.SCORM20043RDEDITION
    else:
        standard = LearningStandard.SCORM12
    described = f"schemaversion '{version}'" if version else "no schemaversion"
    warnings.append(f"imsmanifest.xml has {described}; read as {standard} from its namespaces.")
    return standard


def _all_tags(element: Element):
    return (node.tag for node in element.iter() if isinstance(node.tag, str))


def _all_attributes(element: Element):
    return (key for node in element.iter() for key in node.attrib)


def _lom(package: Package, holder: Element | None, warnings: list[str]) -> Element | None:
    """The LOM of a `<metadata>`: inline, or in the file `adlcp:location` names."""
    if holder is None:
        return None
    inline = next((n for n in holder.iter() if local(n.tag) == "lom"), None)
    if inline is not None:
        return inline
    location = text(next((n for n in holder if local(n.tag) == "location"), None))
    if not location:
        return None
    found = package.find(posixpath.normpath(location))
    if found is None:
        warnings.append(f"The metadata file '{location}' is not in the package.")
        return None
    document = xml_parse(package, found, warnings)
    return document if local(document.tag) == "lom" else child(document, "lom")


def _lom_metadata(lom: Element | None) -> tuple[dict, list[str]]:
    if lom is None:
        return {}, []
    general = child(lom, "general")
    title, title_lang = langstring(child(general, "title"))
    description, description_lang = langstring(child(general, "description"))
    keywords = [langstring(k)[0] for k in children(general, "keyword")]
    educational = child(lom, "educational")
    typical = text(child(child(educational, "typicalLearningTime"), "duration")) or text(
        child(educational, "typicalLearningTime")
    )
    duration = text(child(child(child(lom, "technical"), "duration"), "duration"))
    metadata = {
        "title": title,
        "titleLanguage": title_lang,
        "description": description,
        "descriptionLanguage": description_lang,
        "duration": duration,
        "typicalTime": typical,
        "keywords": [k for k in keywords if k],
    }
    languages = [text(n) for n in children(general, "language")]
    return (
        {key: value for key, value in metadata.items() if value},
        [*languages, title_lang, description_lang],
    )


def parse_scorm(package: Package, path: str, fallback: str, warnings: list[str]) -> ParsedCourse:
    manifest = xml_parse(package, path, warnings)
    if local(manifest.tag) != "manifest":
        raise PackageError("imsmanifest.xml has no <manifest> root element.")
    standard = _scorm_standard(manifest, warnings)
    metadata, languages = _lom_metadata(_lom(package, child(manifest, "metadata"), warnings))
    resources_holder = child(manifest, "resources")
    bases = (manifest.get(XML_BASE, ""), (resources_holder or manifest).get(XML_BASE, ""))
    resources = {
        resource.get("identifier", ""): resource
        for resource in children(resources_holder, "resource")
    }
    organization = _scorm_organization(manifest, warnings)

    def item_node(item: Element, depth: int) -> dict:
        if depth > MAX_DEPTH:
            raise PackageError(f"The activity tree is nested deeper than {MAX_DEPTH} levels.")
        identifier = item.get("identifier", "")
        title = text(child(item, "title")) or identifier
        kids = [item_node(sub, depth + 1) for sub in children(item, "item")]
        reference = item.get("identifierref", "")
        if not reference:
            return activity(
                kind=ActivityType.AGGREGATION, title=title, identifier=identifier, children=kids
            )
        resource = resources.get(reference)
        if resource is None:
            warnings.append(f"Item '{identifier}' refers to the missing resource '{reference}'.")
            return activity(
                kind=ActivityType.AGGREGATION, title=title, identifier=identifier, children=kids
            )
        href = resource.get("href", "")
        if not href:
            warnings.append(f"Resource '{reference}' of item '{identifier}' has no href.")
        else:
            href = join_parameters(
                join_base(*bases, resource.get(XML_BASE, ""), href), item.get("parameters", "")
            )
            check_local_file(package, href, f"item '{identifier}'", warnings)
        sco = attribute(resource, "scormtype").lower() == "sco"
        node = activity(
            kind=ActivityType.SCO if sco else ActivityType.ASSET,
            title=title,
            identifier=identifier,
            resource=reference,
            href=href,
            passing=_passing_score(item),
            children=kids,
        )
        objectives = _objective_ids(item)
        if objectives:
            node["objectiveIds"] = objectives  # the SCO finds them in cmi.objectives
        return node

    items = [item_node(item, 1) for item in children(organization, "item")]
    return course_parsed(
        standard=standard,
        title=text(child(organization, "title")) or metadata.get("title") or fallback,
        identifier=organization.get("identifier", ""),
        kids=items,
        metadata=metadata,
        languages=languages,
        warnings=warnings,
    )


def _scorm_organization(manifest: Element, warnings: list[str]) -> Element:
    """The organization to import: the default one, else the first."""
    organizations = child(manifest, "organizations")
    organization_list = children(organizations, "organization")
    default = organizations.get("default", "") if organizations is not None else ""
    organization = next(
        (org for org in organization_list if org.get("identifier") == default),
        organization_list[0] if organization_list else None,
    )
    if organization is None:
        raise PackageError("imsmanifest.xml has no <organization> to launch.")
    if default and organization.get("identifier") != default:
        warnings.append(f"The default organization '{default}' does not exist; used the first.")
    if len(organization_list) > 1:
        warnings.append("The manifest has several organizations; the default one is imported.")
    return organization


def scaled_from_percent(value: str) -> str | None:
    """A 0-100 mastery score (SCORM 1.2, AICC) as the spec's scaled score string."""
    try:
        return f"{float(value) / 100:g}" if value else None
    except ValueError:
        return None


def _objective_ids(item: Element) -> list[str]:
    """The ids of an item's sequencing objectives (2004), primary first: the LMS starts the
    SCO's `cmi.objectives` with them."""
    found: list[str] = []
    for node in item.iter():
        if node is not item and local(node.tag) == "item":
            continue
        if local(node.tag) in ("primaryObjective", "objective"):
            objective_id = node.get("objectiveID", "")
            if objective_id and objective_id not in found:
                found.append(objective_id)
    return found


def _passing_score(item: Element) -> str | None:
    mastery = text(child(item, "masteryscore"))
    if mastery:
        return scaled_from_percent(mastery)
    for node in item.iter():
        if local(node.tag) == "primaryObjective" and node.get("satisfiedByMeasure") == "true":
            measure = text(child(node, "minNormalizedMeasure"))
            return measure or None
    return None


# --- cmi5 -----------------------------------------------------------------------------------


def parse_cmi5(package: Package, path: str, fallback: str, warnings: list[str]) -> ParsedCourse:
    structure = xml_parse(package, path, warnings)
    if local(structure.tag) != "courseStructure":
        raise PackageError("cmi5.xml has no <courseStructure> root element.")
    course = child(structure, "course")
    if course is None:
        raise PackageError("cmi5.xml has no <course>.")
    title, title_lang = langstring(child(course, "title"))
    description, description_lang = langstring(child(course, "description"))

    def node(element: Element, depth: int) -> dict | None:
        if depth > MAX_DEPTH:
            raise PackageError(f"The course structure is nested deeper than {MAX_DEPTH} levels.")
        name = local(element.tag)
        identifier = element.get("id", "")
        label = langstring(child(element, "title"))[0] or identifier
        if name == "block":
            kids = [n for n in (node(sub, depth + 1) for sub in element) if n]
            return activity(
                kind=ActivityType.AGGREGATION, title=label, identifier=identifier, children=kids
            )
        if name == "au":
            url = text(child(element, "url"))
            if not url:
                warnings.append(f"AU '{identifier}' has no <url>.")
            check_local_file(package, url, f"AU '{identifier}'", warnings)
            mastery = element.get("masteryScore")
            au = activity(
                kind=ActivityType.SCO,
                title=label,
                identifier=identifier,
                href=url,
                passing=mastery or None,
            )
            # What the LMS hands the AU in LMS.LaunchData when the preview launches it.
            au["moveOn"] = element.get("moveOn", "NotApplicable")
            au["launchMethod"] = element.get("launchMethod", "AnyWindow")
            for name in ("launchParameters", "entitlementKey"):
                value = text(child(element, name))
                if value:
                    au[name] = value
            return au
        return None

    kids = [n for n in (node(element, 1) for element in structure) if n]
    metadata = {"title": title, "titleLanguage": title_lang}
    metadata |= {"description": description, "descriptionLanguage": description_lang}
    return course_parsed(
        standard=LearningStandard.CMI5,
        title=title or fallback,
        identifier=course.get("id", ""),
        kids=kids,
        metadata=metadata,
        languages=[title_lang, description_lang],
        xapi_activity_id=course.get("id", ""),
        warnings=warnings,
    )


# --- xAPI / Tin Can -------------------------------------------------------------------------

COURSE_TYPE = "http://adlnet.gov/expapi/activities/course"


def parse_tincan(package: Package, path: str, fallback: str, warnings: list[str]) -> ParsedCourse:
    document = xml_parse(package, path, warnings)
    if local(document.tag) != "tincan":
        raise PackageError("tincan.xml has no <tincan> root element.")
    holder = child(document, "activities")
    activities = children(holder, "activity")
    if not activities:
        raise PackageError("tincan.xml lists no activities.")
    course = next((a for a in activities if a.get("type") == COURSE_TYPE), activities[0])
    kids = []
    languages = []
    for element in activities:
        launch = child(element, "launch")
        if launch is None or not text(launch):
            continue
        href = text(launch)
        identifier = element.get("id", "")
        check_local_file(package, href, f"activity '{identifier}'", warnings)
        name, lang = langstring(child(element, "name"))
        languages.extend([lang, launch.get("lang", "")])
        kids.append(
            activity(
                kind=ActivityType.SCO, title=name or identifier, identifier=identifier, href=href
            )
        )
    title = text(child(course, "name")) or fallback
    return course_parsed(
        standard=LearningStandard.XAPI,
        title=title,
        identifier=course.get("id", ""),
        kids=kids,
        metadata={"title": title, "description": text(child(course, "description"))},
        languages=languages,
        xapi_activity_id=course.get("id", ""),
        warnings=warnings,
    )


# --- AICC -----------------------------------------------------------------------------------


def _aicc_text(package: Package, path: str, warnings: list[str]) -> str:
    data = package.read(path, limit=settings.COURSE_IMPORT_MAX_XML_BYTES)
    if data.startswith(codecs.BOM_UTF8):
        warnings.append(f"{path} starts with a byte order mark.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        warnings.append(f"{path} is not valid UTF-8; it was read as Windows-1252.")
        return data.decode("cp1252", errors="replace")


def _aicc_table(package: Package, path: str | None, warnings: list[str]) -> list[dict]:
    """Rows of an AICC CSV file, keyed by lower-case header names."""
    if path is None:
        return []
    reader = csv.reader(io.StringIO(_aicc_text(package, path, warnings)), skipinitialspace=True)
    rows = [row for row in reader if any(cell.strip() for cell in row)]
    if not rows:
        return []
    header = [cell.strip().lower() for cell in rows[0]]
    return [dict(zip(header, (cell.strip() for cell in row), strict=False)) for row in rows[1:]]


def _aicc_course(package: Package, path: str, warnings: list[str]) -> dict[str, str]:
    """`key=value` pairs of the .crs file (section names dropped, keys lower-case)."""
    values = {}
    for line in _aicc_text(package, path, warnings).splitlines():
        key, sep, value = line.partition("=")
        if sep and not line.lstrip().startswith("["):
            values.setdefault(key.strip().lower(), value.strip())
    return values


def _aicc_structure(package: Package, path: str | None, warnings: list[str]) -> dict:
    """The .cst file: each block (lower-case) with its members, in order."""
    structure: dict[str, list[str]] = {}
    if path is None:
        return structure
    reader = csv.reader(io.StringIO(_aicc_text(package, path, warnings)), skipinitialspace=True)
    rows = [[cell.strip() for cell in row] for row in reader if any(c.strip() for c in row)]
    for row in rows[1:]:
        if row:
            structure.setdefault(row[0].lower(), []).extend(m for m in row[1:] if m)
    return structure


@dataclass
class AiccCourse:
    """The files of an AICC course, read: units by system id, titles from the .des file,
    blocks and their members from the .cst file (all keyed in lower case)."""

    package: Package
    units: dict[str, dict]
    titles: dict[str, str]
    structure: dict[str, list[str]]
    warnings: list[str]

    def unit_node(self, system_id: str) -> dict:
        row = self.units[system_id.lower()]
        href = row.get("file_name", "")
        if row.get("web_launch"):
            href = join_parameters(href, row["web_launch"])
        check_local_file(self.package, href, f"AU '{system_id}'", self.warnings)
        return activity(
            kind=ActivityType.SCO,
            title=self.titles.get(system_id.lower()) or system_id,
            identifier=system_id,
            href=href,
            passing=scaled_from_percent(row.get("mastery_score", "")),
        )

    def block_children(self, block: str, depth: int, seen: frozenset) -> list[dict]:
        if depth > MAX_DEPTH or block.lower() in seen:
            raise PackageError("The AICC course structure is circular or nested too deeply.")
        kids = []
        for member in self.structure.get(block.lower(), []):
            if member.lower() in self.structure:
                kids.append(self.block_node(member, depth + 1, seen | {block.lower()}))
            elif member.lower() in self.units:
                kids.append(self.unit_node(member))
            else:
                self.warnings.append(f"The AICC structure names the unknown member '{member}'.")
        return kids

    def block_node(self, block: str, depth: int, seen: frozenset) -> dict:
        return activity(
            kind=ActivityType.AGGREGATION,
            title=self.titles.get(block.lower()) or block,
            identifier=block,
            children=self.block_children(block, depth, seen),
        )

    def root_children(self) -> list[dict]:
        """The members of the `root` block, or else every unit in the order listed."""
        if "root" in self.structure:
            return self.block_children("root", 1, frozenset())
        return [self.unit_node(row.get("system_id", "")) for row in self.units.values()]


def parse_aicc(
    package: Package, root: dict[str, str], fallback: str, warnings: list[str]
) -> ParsedCourse:
    def by_extension(extension: str) -> str | None:
        return next((name for lower, name in root.items() if lower.endswith(extension)), None)

    crs = by_extension(".crs")
    course = _aicc_course(package, crs, warnings) if crs else {}
    if crs is None:
        warnings.append("The AICC package has no .crs course file.")
    aicc = AiccCourse(
        package=package,
        units={
            row.get("system_id", "").lower(): row
            for row in _aicc_table(package, by_extension(".au"), warnings)
        },
        titles={
            row.get("system_id", "").lower(): row.get("title", "")
            for row in _aicc_table(package, by_extension(".des"), warnings)
        },
        structure=_aicc_structure(package, by_extension(".cst"), warnings),
        warnings=warnings,
    )
    title = course.get("course_title") or fallback
    return course_parsed(
        standard=LearningStandard.AICC,
        title=title,
        identifier=course.get("course_id", ""),
        kids=aicc.root_children(),
        metadata={"title": title, "description": course.get("course_description", "")},
        warnings=warnings,
    )
