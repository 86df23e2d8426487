from django.conf import settings


def test_defaults_are_dutch_and_brussels() -> None:
    assert settings.LANGUAGE_CODE == "nl-be"
    assert settings.TIME_ZONE == "Europe/Brussels"
    assert [code for code, _ in settings.LANGUAGES] == ["nl-be", "en"]
