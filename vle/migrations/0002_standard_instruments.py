"""The five standard instruments, with the ids that clients hard-code (1-5)."""

from django.core.management.color import no_style
from django.db import migrations

CAPTURE_MODES = {
    "type": "object",
    "properties": {
        "online": {"type": "boolean", "default": True, "title": "Capture during the activity"},
        "offline": {"type": "boolean", "default": False, "title": "Analyse delivered files"},
    },
    "additionalProperties": False,
}

INSTRUMENTS = [
    dict(id=1, acronym="fr", name="Face Recognition", queue="tesla_fr",
         requires_enrolment=True, identity=True, options_schema=CAPTURE_MODES,
         description="Checks that the learner in front of the camera is the enrolled one."),
    dict(id=2, acronym="ks", name="Keystroke Dynamics", queue="tesla_ks",
         requires_enrolment=True, identity=True,
         description="Checks the learner's typing rhythm against the enrolled model."),
    dict(id=3, acronym="vr", name="Voice Recognition", queue="tesla_vr",
         requires_enrolment=True, identity=True, options_schema=CAPTURE_MODES,
         description="Checks the learner's voice against the enrolled model."),
    dict(id=4, acronym="fa", name="Forensic Analysis", queue="tesla_fa",
         requires_enrolment=True, identity=True, authorship=True,
         description="Compares the writing style of delivered work with the learner's."),
    dict(id=5, acronym="plag", name="Plagiarism Detection", queue="tesla_plag",
         originality=True,
         description="Looks for copied content in delivered work."),
]


def create_instruments(apps, schema_editor):
    Instrument = apps.get_model("vle", "Instrument")
    for values in INSTRUMENTS:
        Instrument.objects.update_or_create(id=values["id"], defaults=values)
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Instrument]):
            cursor.execute(sql)


def remove_instruments(apps, schema_editor):
    apps.get_model("vle", "Instrument").objects.filter(id__in=[i["id"] for i in INSTRUMENTS]).delete()


class Migration(migrations.Migration):
    dependencies = [("vle", "0001_initial")]

    operations = [migrations.RunPython(create_instruments, remove_instruments)]
