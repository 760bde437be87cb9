"""Park schedules and entity metadata move to the catalog (themepark 0005): the collector lets go of
the models while their tables and rows stay. Content types (and so permissions and admin log
entries) follow the models to their new app."""
from django.db import migrations

MOVED = ("parkschedule", "entitymetadata", "entitymetadataversion")


def content_types_move(source, target):
    def move(apps, schema_editor):
        content_type = apps.get_model("contenttypes", "ContentType")
        db = schema_editor.connection.alias
        for model in MOVED:
            if content_type.objects.using(db).filter(app_label=target, model=model).exists():
                continue
            content_type.objects.using(db).filter(app_label=source, model=model).update(app_label=target)
    return move


class Migration(migrations.Migration):

    dependencies = [
        ('collector', '0003_alerts'),
        ('themepark', '0005_catalog_schedules_metadata'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name='EntityMetadataVersion'),
                migrations.DeleteModel(name='EntityMetadata'),
                migrations.DeleteModel(name='ParkSchedule'),
            ],
        ),
        migrations.RunPython(content_types_move("collector", "themepark"), content_types_move("themepark", "collector")),
    ]
