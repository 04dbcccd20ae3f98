"""Small content packages built in memory, one per learning standard and per hostile case."""

import io
import stat
import zipfile

PAGE = b"<!doctype html><title>x</title><p>content</p>"


def zip_bytes(files: dict[str, bytes | str], *, compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in files.items():
            archive.writestr(name, data.encode() if isinstance(data, str) else data)
    return buffer.getvalue()


def zip_with_symlink(name: str, target: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("imsmanifest.xml", scorm12_manifest())
        info = zipfile.ZipInfo(name)
        info.create_system = 3
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(info, target)
    return buffer.getvalue()


def scorm12_manifest(*, title="Twelve", schemaversion="1.2", extra_items="", href="index.html"):
    version = f"<schemaversion>{schemaversion}</schemaversion>" if schemaversion else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="m12" version="1"
  xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema>{version}</metadata>
  <organizations default="org1">
    <organization identifier="org1">
      <title>{title}</title>
      <item identifier="i1" identifierref="r1" parameters="?lesson=1">
        <title>Lesson one</title>
        <adlcp:masteryscore>80</adlcp:masteryscore>
      </item>
      {extra_items}
    </organization>
  </organizations>
  <resources>
    <resource identifier="r1" type="webcontent" adlcp:scormtype="sco" href="{href}">
      <file href="index.html"/>
    </resource>
    <resource identifier="r2" type="webcontent" adlcp:scormtype="asset" href="notes.html"/>
  </resources>
</manifest>"""


def scorm12_package(**kwargs) -> bytes:
    return zip_bytes(
        {"imsmanifest.xml": scorm12_manifest(**kwargs), "index.html": PAGE, "notes.html": PAGE}
    )


EDITIONS = {
    "2nd": "CAM 1.3",
    "3rd": "2004 3rd Edition",
    "4th": "2004 4th Edition",
}


def scorm2004_manifest(edition="3rd", *, schemaversion=True):
    version = f"<schemaversion>{EDITIONS[edition]}</schemaversion>" if schemaversion else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="m2004" version="1" xml:base="course/"
  xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3"
  xmlns:imsss="http://www.imsglobal.org/xsd/imsss"
  xmlns:lom="http://ltsc.ieee.org/xsd/LOM">
  <metadata><schema>ADL SCORM</schema>{version}
    <lom:lom><lom:general>
      <lom:title><lom:string language="en">Described title</lom:string></lom:title>
      <lom:description><lom:string language="en">About golf</lom:string></lom:description>
      <lom:keyword><lom:string language="en">golf</lom:string></lom:keyword>
    </lom:general></lom:lom>
  </metadata>
  <organizations default="org">
    <organization identifier="org">
      <title>Two thousand four</title>
      <item identifier="module"><title>Module</title>
        <item identifier="sco1" identifierref="res1" parameters="part=2">
          <title>First SCO</title>
          <imsss:sequencing><imsss:objectives>
            <imsss:primaryObjective objectiveID="p" satisfiedByMeasure="true">
              <imsss:minNormalizedMeasure>0.7</imsss:minNormalizedMeasure>
            </imsss:primaryObjective>
          </imsss:objectives></imsss:sequencing>
        </item>
        <item identifier="asset1" identifierref="res2"><title>Glossary</title></item>
      </item>
    </organization>
  </organizations>
  <resources xml:base="content/">
    <resource identifier="res1" type="webcontent" adlcp:scormType="sco"
      xml:base="sco/" href="start.html?mode=review"/>
    <resource identifier="res2" type="webcontent" adlcp:scormType="asset" href="glossary.html"/>
  </resources>
</manifest>"""


def scorm2004_package(edition="3rd", **kwargs) -> bytes:
    return zip_bytes(
        {
            "imsmanifest.xml": scorm2004_manifest(edition, **kwargs),
            "course/content/sco/start.html": PAGE,
            "course/content/glossary.html": PAGE,
        }
    )


CMI5 = """<?xml version="1.0" encoding="utf-8"?>
<courseStructure xmlns="https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd">
  <course id="https://example.org/course/c5">
    <title><langstring lang="en-US">Cmi five</langstring></title>
    <description><langstring lang="en-US">A cmi5 course</langstring></description>
  </course>
  <block id="https://example.org/block/1">
    <title><langstring lang="en-US">Block</langstring></title>
    <au id="https://example.org/au/1" moveOn="Passed" masteryScore="0.6">
      <title><langstring lang="en-US">AU one</langstring></title>
      <url>au/index.html?x=1</url>
    </au>
  </block>
</courseStructure>"""


def cmi5_package() -> bytes:
    return zip_bytes({"cmi5.xml": CMI5, "au/index.html": PAGE})


TINCAN = """\ufeff<?xml version="1.0" encoding="utf-8"?>
<tincan xmlns="http://projecttincan.com/tincan.xsd">
  <activities>
    <activity id="https://example.org/tc/course" type="http://adlnet.gov/expapi/activities/course">
      <name lang="en">Tin can course</name>
      <description lang="en">About tin cans</description>
      <launch lang="en">start.html</launch>
    </activity>
  </activities>
</tincan>"""


def tincan_package() -> bytes:
    return zip_bytes({"tincan.xml": TINCAN, "start.html": PAGE})


def aicc_package() -> bytes:
    return zip_bytes(
        {
            "course.crs": "[Course]\r\nCourse_ID=AICC1\r\nCourse_Title=Aicc course\r\n"
            "Total_AUs=2\r\n[Course_Description]\r\nA course.\r\n",
            "course.au": '"System_ID","Type","File_Name","Web_Launch","Mastery_Score"\r\n'
            '"A1","lesson","lesson1.html","a=1","75"\r\n'
            '"A2","lesson","lesson2.html","",""\r\n',
            "course.des": '"System_ID","Developer_ID","Title","Description"\r\n'
            '"A1","d1","First lesson","one"\r\n"A2","d2","Second lesson","two"\r\n'
            '"B1","d3","The block","b"\r\n',
            "course.cst": '"Block","Member","Member"\r\n"root","B1","A2"\r\n"B1","A1"\r\n',
            "lesson1.html": PAGE,
            "lesson2.html": PAGE,
        }
    )


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">]>
<manifest identifier="x"><metadata><schemaversion>&lol2;</schemaversion></metadata></manifest>"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE m [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<manifest identifier="x"><organizations><organization identifier="o"><title>&xxe;</title>
</organization></organizations></manifest>"""


def deep_manifest(depth: int) -> str:
    items = "".join(f'<item identifier="i{n}"><title>t</title>' for n in range(depth))
    items += "</item>" * depth
    return f"""<?xml version="1.0"?>
<manifest identifier="deep" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2">
<metadata><schemaversion>1.2</schemaversion></metadata>
<organizations default="o"><organization identifier="o"><title>Deep</title>{items}
</organization></organizations><resources/></manifest>"""
