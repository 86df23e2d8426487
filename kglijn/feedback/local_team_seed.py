"""The 57 local teams of Kind en Gezin (source 004: "Onze 57 lokale teams, verspreid over
Vlaanderen en Brussel"), loaded by data migration 0002.

The sources give the number of teams, not their names or areas. These names are plausible
working names (a city or region per team), grouped by province, NOT the official list: replace
them through /beheer/ (or a new data migration) once the real list is known. The code is the
stable key; the name may change.
"""

from __future__ import annotations

# (code, name, province ISO 3166-2) — order: province as in kglijn.core.provinces, then name.
LOCAL_TEAMS: tuple[tuple[str, str, str], ...] = (
    # Antwerpen (14)
    ("antwerpen-noord", "Lokaal team Antwerpen-Noord", "BE-VAN"),
    ("antwerpen-zuid", "Lokaal team Antwerpen-Zuid", "BE-VAN"),
    ("deurne-borgerhout", "Lokaal team Deurne-Borgerhout", "BE-VAN"),
    ("hoboken-wilrijk", "Lokaal team Hoboken-Wilrijk", "BE-VAN"),
    ("merksem-ekeren", "Lokaal team Merksem-Ekeren", "BE-VAN"),
    ("mortsel-edegem", "Lokaal team Mortsel-Edegem", "BE-VAN"),
    ("voorkempen", "Lokaal team Voorkempen", "BE-VAN"),
    ("mechelen", "Lokaal team Mechelen", "BE-VAN"),
    ("lier", "Lokaal team Lier", "BE-VAN"),
    ("rupelstreek", "Lokaal team Rupelstreek", "BE-VAN"),
    ("turnhout", "Lokaal team Turnhout", "BE-VAN"),
    ("geel-mol", "Lokaal team Geel-Mol", "BE-VAN"),
    ("herentals", "Lokaal team Herentals", "BE-VAN"),
    ("zuiderkempen", "Lokaal team Zuiderkempen", "BE-VAN"),
    # Oost-Vlaanderen (12)
    ("gent-centrum", "Lokaal team Gent-Centrum", "BE-VOV"),
    ("gent-noord", "Lokaal team Gent-Noord", "BE-VOV"),
    ("gent-zuid", "Lokaal team Gent-Zuid", "BE-VOV"),
    ("meetjesland", "Lokaal team Meetjesland", "BE-VOV"),
    ("leie-en-schelde", "Lokaal team Leie en Schelde", "BE-VOV"),
    ("sint-niklaas", "Lokaal team Sint-Niklaas", "BE-VOV"),
    ("waasland-noord", "Lokaal team Waasland-Noord", "BE-VOV"),
    ("lokeren", "Lokaal team Lokeren", "BE-VOV"),
    ("dendermonde", "Lokaal team Dendermonde", "BE-VOV"),
    ("aalst", "Lokaal team Aalst", "BE-VOV"),
    ("denderstreek", "Lokaal team Denderstreek", "BE-VOV"),
    ("vlaamse-ardennen", "Lokaal team Vlaamse Ardennen", "BE-VOV"),
    # West-Vlaanderen (9)
    ("brugge", "Lokaal team Brugge", "BE-VWV"),
    ("oostende", "Lokaal team Oostende", "BE-VWV"),
    ("westkust", "Lokaal team Westkust", "BE-VWV"),
    ("westhoek", "Lokaal team Westhoek", "BE-VWV"),
    ("houtland", "Lokaal team Houtland", "BE-VWV"),
    ("roeselare", "Lokaal team Roeselare", "BE-VWV"),
    ("tielt", "Lokaal team Tielt", "BE-VWV"),
    ("kortrijk", "Lokaal team Kortrijk", "BE-VWV"),
    ("menen-wevelgem", "Lokaal team Menen-Wevelgem", "BE-VWV"),
    # Vlaams-Brabant (9)
    ("leuven", "Lokaal team Leuven", "BE-VBR"),
    ("tienen", "Lokaal team Tienen", "BE-VBR"),
    ("hageland", "Lokaal team Hageland", "BE-VBR"),
    ("vilvoorde", "Lokaal team Vilvoorde", "BE-VBR"),
    ("noordrand", "Lokaal team Noordrand", "BE-VBR"),
    ("zaventem", "Lokaal team Zaventem", "BE-VBR"),
    ("druivenstreek", "Lokaal team Druivenstreek", "BE-VBR"),
    ("halle", "Lokaal team Halle", "BE-VBR"),
    ("pajottenland", "Lokaal team Pajottenland", "BE-VBR"),
    # Limburg (7)
    ("hasselt", "Lokaal team Hasselt", "BE-VLI"),
    ("genk", "Lokaal team Genk", "BE-VLI"),
    ("sint-truiden", "Lokaal team Sint-Truiden", "BE-VLI"),
    ("tongeren", "Lokaal team Tongeren", "BE-VLI"),
    ("maasland", "Lokaal team Maasland", "BE-VLI"),
    ("noord-limburg", "Lokaal team Noord-Limburg", "BE-VLI"),
    ("midden-limburg", "Lokaal team Midden-Limburg", "BE-VLI"),
    # Brussel (6)
    ("brussel-centrum", "Lokaal team Brussel-Centrum", "BE-BRU"),
    ("brussel-noord", "Lokaal team Brussel-Noord", "BE-BRU"),
    ("brussel-noordwest", "Lokaal team Brussel-Noordwest", "BE-BRU"),
    ("brussel-oost", "Lokaal team Brussel-Oost", "BE-BRU"),
    ("brussel-zuid", "Lokaal team Brussel-Zuid", "BE-BRU"),
    ("brussel-west", "Lokaal team Brussel-West", "BE-BRU"),
)
