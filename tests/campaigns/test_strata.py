"""The canonical stratum key and how people read it."""

from __future__ import annotations

from django.utils import translation

from kglijn.campaigns.strata import ALL, stratum_key, stratum_label, stratum_values


def test_the_key_follows_the_variables_order_and_inverts() -> None:
    key = stratum_key({"taal": "Nederlands", "provincie": "Limburg"}, ["provincie", "taal"])

    assert key == "provincie=Limburg | taal=Nederlands"
    assert stratum_values(key) == {"provincie": "Limburg", "taal": "Nederlands"}
    assert stratum_key({"provincie": "Limburg"}, []) == ALL
    assert stratum_values(ALL) == {}


def test_a_register_stratum_reads_as_names_and_a_file_stratum_as_its_values() -> None:
    register_key = stratum_key(
        {"province": "BE-VAN", "kind": "parent", "channel": ""}, ["province", "kind", "channel"]
    )
    with translation.override("nl-be"):
        assert stratum_label(register_key, register=True) == "Antwerpen · Ouder · onbekend"
        # An uploaded frame's values are the frame's own words: kept as they are.
        assert stratum_label("province=BE-VAN | leeftijd=0-1 jaar") == "BE-VAN · 0-1 jaar"
        assert stratum_label(ALL) == "iedereen"
