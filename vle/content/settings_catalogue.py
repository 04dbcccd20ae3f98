"""The configuration settings a course (or one of its versions) can carry.

A small, documented catalogue in SCORM Cloud's naming style rather than its hundreds of
player options: each setting has a type, a default, a description and, for enumerations, its
valid values. Values travel as strings on the wire (`"true"`, `"300"`); `setting_clean`
validates one and gives it its canonical spelling. Effective values cascade default → course →
version: a version-level value wins over the course's, which wins over the default.
"""

from dataclasses import dataclass, field

BOOL = "bool"
INTEGER = "integer"
ENUM = "enum"
STRING = "string"

ALL_STANDARDS = [
    "SCORM11",
    "SCORM12",
    "SCORM20042NDEDITION",
    "SCORM20043RDEDITION",
    "SCORM20044THEDITION",
    "AICC",
    "XAPI",
    "CMI5",
]
SCORM_STANDARDS = ALL_STANDARDS[:5]


@dataclass(frozen=True)
class Setting:
    id: str
    data_type: str
    default: str
    description: str
    valid_values: tuple[tuple[str, str], ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    max_length: int = 2000
    learning_standards: list[str] = field(default_factory=lambda: list(ALL_STANDARDS))

    def metadata(self) -> dict:
        """The spec's SettingMetadata of this setting."""
        body = {
            "default": self.default,
            "dataType": self.data_type,
            "settingDescription": self.description,
            "level": "course",
            "learningStandards": self.learning_standards,
            "learningStandardVariant": "either",
        }
        if self.valid_values:
            body["validValues"] = [
                {"value": value, "valueDescription": text} for value, text in self.valid_values
            ]
        return body


LAUNCH_TYPES = (
    ("FRAMESET", "Inside the player page, in a frame."),
    ("NEW_WINDOW", "In a new window, opened by the player."),
    ("NEW_WINDOW_AFTER_CLICK", "In a new window, after the learner clicks a launch button."),
)

CATALOGUE: dict[str, Setting] = {
    setting.id: setting
    for setting in (
        Setting(
            "PlayerLaunchType",
            ENUM,
            "FRAMESET",
            "How the player itself opens when a course is launched or previewed.",
            valid_values=LAUNCH_TYPES,
        ),
        Setting(
            "PlayerScoLaunchType",
            ENUM,
            "FRAMESET",
            "How the player opens each activity (SCO, AU or asset) of the course.",
            valid_values=LAUNCH_TYPES,
        ),
        Setting(
            "PlayerDesiredWidth",
            INTEGER,
            "0",
            "Width in pixels of a new content window (0: the browser's choice).",
            minimum=0,
            maximum=10000,
        ),
        Setting(
            "PlayerDesiredHeight",
            INTEGER,
            "0",
            "Height in pixels of a new content window (0: the browser's choice).",
            minimum=0,
            maximum=10000,
        ),
        Setting(
            "PlayerShowCourseStructure",
            BOOL,
            "false",
            "Show the course's activity tree beside the content.",
        ),
        Setting(
            "PlayerCourseStructureWidth",
            INTEGER,
            "300",
            "Width in pixels of the activity tree when it is shown.",
            minimum=50,
            maximum=2000,
        ),
        Setting(
            "PlayerShowNavBar",
            BOOL,
            "true",
            "Show the player's navigation bar (previous, next, exit).",
        ),
        Setting(
            "PlayerCommCommitFrequency",
            INTEGER,
            "10000",
            "Milliseconds between automatic commits of the SCORM runtime's data.",
            minimum=1000,
            maximum=600000,
            learning_standards=list(SCORM_STANDARDS),
        ),
        Setting(
            "PlayerRecordRuntimeStatements",
            BOOL,
            "true",
            "Record SCORM runtime commits as xAPI statements, as SCORM Cloud does.",
            learning_standards=list(SCORM_STANDARDS),
        ),
        Setting(
            "PlayerExitMessage",
            STRING,
            "You may now close this window.",
            "Text shown when the learner leaves the course and no redirect is set.",
            max_length=500,
        ),
    )
}


class SettingError(ValueError):
    """An unknown setting id or a value the setting does not accept."""


def setting_get(setting_id: str) -> Setting:
    try:
        return CATALOGUE[setting_id]
    except KeyError:
        raise SettingError(f"Unknown setting '{setting_id}'.") from None


def setting_clean(setting_id: str, value) -> str:
    """The canonical string of `value` for the setting, or SettingError naming what is wrong."""
    setting = setting_get(setting_id)
    if isinstance(value, bool):
        raw = "true" if value else "false"
    elif isinstance(value, int | float | str):
        raw = str(value).strip()
    else:
        raise SettingError(f"The value of '{setting_id}' must be a string.")
    if setting.data_type == BOOL:
        if raw.lower() not in {"true", "false"}:
            raise SettingError(f"'{setting_id}' takes 'true' or 'false', not '{raw}'.")
        return raw.lower()
    if setting.data_type == INTEGER:
        try:
            number = int(raw)
        except ValueError:
            raise SettingError(f"'{setting_id}' takes a whole number, not '{raw}'.") from None
        if (setting.minimum is not None and number < setting.minimum) or (
            setting.maximum is not None and number > setting.maximum
        ):
            raise SettingError(
                f"'{setting_id}' takes a number from {setting.minimum} to {setting.maximum}."
            )
        return str(number)
    if setting.data_type == ENUM:
        allowed = [value for value, _ in setting.valid_values]
        if raw not in allowed:
            raise SettingError(f"'{setting_id}' takes one of {', '.join(allowed)}, not '{raw}'.")
        return raw
    if len(raw) > setting.max_length or "\x00" in raw:
        raise SettingError(f"'{setting_id}' takes at most {setting.max_length} characters.")
    return raw
