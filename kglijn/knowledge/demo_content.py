"""The demo knowledge base: articles and answer templates on Kind en Gezin themes. DEMO ONLY.

Themes from the source documents (000 §3: vaccination questions, consultation-clinic
appointments, introduction for pregnant women, childcare addresses, qualification requirements,
parent fees; 004: 14 themes on kindengezin.be, the consultation clinic up to age 3, the
Groeipakket).
The texts are illustrative demo content written for kglijn, not Kind en Gezin's official wording:
information managers replace them with the real knowledge base.
"""

from __future__ import annotations

import re
from typing import NamedTuple


class DemoArticle(NamedTuple):
    kind: str  # "article" | "template"
    title: str
    topic: str  # "family_support" | "childcare" | ""
    reasons: tuple[str, ...]
    body: str  # hard-wrapped for this source file; unwrapped() gives the stored text
    status: str = "published"
    sign_off: bool = False  # answer templates end with the K&G-Lijn's signature

    def unwrapped(self) -> str:
        """The body as an information manager would type it: one line per paragraph or list
        item (the source wraps lines at 100 characters), plus the signature if any."""
        lines: list[str] = []
        for raw in self.body.split("\n"):
            line = raw.strip()
            starts_item = bool(re.match(r"(- |\d+\. |#)", line))
            joinable = lines and lines[-1] and line and not starts_item
            if joinable and (raw[:1].isspace() or not re.match(r"(- |\d+\. |#)", lines[-1])):
                lines[-1] += " " + line
            else:
                lines.append(line)
        text = "\n".join(lines)
        return f"{text}\n\n{SIGN_OFF}" if self.sign_off else text


FS = "family_support"
CC = "childcare"
SIGN_OFF = (
    "Met vriendelijke groeten,\nDe Kind en Gezin-Lijn\n078 150 100 – elke werkdag van 8 tot 20 uur"
)

ARTICLES: tuple[DemoArticle, ...] = (
    DemoArticle(
        "article",
        "Basisvaccinatieschema: welke vaccins op welke leeftijd",
        FS,
        ("vaccination",),
        """Kind en Gezin volgt het basisvaccinatieschema van de Vlaamse overheid. De vaccinaties
(inentingen) gebeuren in het consultatiebureau of bij de huisarts of kinderarts.

## Momenten in het eerste levensjaar
- 8 weken: zesvoudig vaccin (difterie, tetanus, kinkhoest, polio, Hib, hepatitis B),
  pneumokokken en rotavirus (drinkvaccin)
- 12 weken: zesvoudig vaccin en rotavirus
- 16 weken: zesvoudig vaccin, pneumokokken en eventueel rotavirus

## Na de eerste verjaardag
- 12 maanden: mazelen-bof-rubella (MBR) en meningokokken
- 15 maanden: zesvoudig vaccin en pneumokokken

Twijfelt de ouder over een inhaalschema of een uitgestelde vaccinatie, verwijs dan door naar
de backoffice PGJO (verpleegkundige).""",
    ),
    DemoArticle(
        "article",
        "Vaccinaties in het consultatiebureau zijn gratis",
        FS,
        ("vaccination", "cb-appointment"),
        """De vaccins van het basisvaccinatieschema zijn **gratis** voor alle kinderen die in
Vlaanderen of Brussel wonen, ook wanneer de ouder niet aangesloten is bij een ziekenfonds.

In het consultatiebureau betaalt de ouder niets, ook niet voor het consult. Bij de huisarts of
kinderarts is het vaccin gratis, maar het consult kan betalend zijn.""",
    ),
    DemoArticle(
        "article",
        "Koorts of een rode plek na een vaccinatie",
        FS,
        ("vaccination", "advice"),
        """Na een vaccinatie komen lichte reacties vaak voor: een rode of gezwollen plek, wat
koorts, hangerig of prikkelbaar zijn. Ze verdwijnen meestal binnen 48 uur.

Advies aan de ouder:
- geef voldoende te drinken en kleed het kind niet te warm
- paracetamol in de juiste dosis volgens het gewicht, alleen bij ongemak of koorts
- neem contact op met de huisarts bij koorts boven 40 °C, bij een baby jonger dan 3 maanden
  met koorts, of als het kind ontroostbaar huilt of suf is

Twijfel of bijzondere reacties: doorverbinden met de backoffice PGJO.""",
    ),
    DemoArticle(
        "article",
        "Een gemiste vaccinatie inhalen",
        FS,
        ("vaccination", "cb-appointment"),
        """Een gemiste vaccinatie (inenting) kan bijna altijd ingehaald worden; het schema
hoeft niet opnieuw te beginnen. Maak een nieuwe afspraak in het consultatiebureau of bij
de huisarts.

Vraag de ouder om het vaccinatiekaartje of het overzicht uit Vaccinnet mee te brengen.
Bij een kind dat in het buitenland gevaccineerd werd, stelt de arts een inhaalschema op.""",
    ),
    DemoArticle(
        "article",
        "Vaccinatiebewijs opvragen",
        FS,
        ("vaccination",),
        """Alle vaccinaties van Kind en Gezin worden geregistreerd in **Vaccinnet**.
Ouders vinden het overzicht van de vaccinaties van hun kind op **Mijn Burgerprofiel** of kunnen het
opvragen bij hun huisarts. Een school of kinderopvang vraagt soms een bewijs: het overzicht uit
Mijn Burgerprofiel volstaat.

Geef nooit vaccinatiegegevens door via e-mail of telefoon zonder dat de identiteit vaststaat.""",
    ),
    DemoArticle(
        "article",
        "Afspraak maken, verplaatsen of annuleren in het consultatiebureau",
        FS,
        ("cb-appointment",),
        """Een afspraak in het consultatiebureau kan:
- online, via de afsprakenmodule op kindengezin.be
- telefonisch, via de Kind en Gezin-Lijn (078 150 100)

Vraag naar de naam en geboortedatum van het kind en de gemeente. Boek bij voorkeur in het
consultatiebureau van het lokale team van de woonplaats. Verplaatsen of annuleren kan tot de dag
zelf; vraag de ouder om tijdig te verwittigen zodat een ander gezin de plaats kan krijgen.""",
    ),
    DemoArticle(
        "article",
        "Wat gebeurt er tijdens een consult?",
        FS,
        ("cb-appointment", "info-kg"),
        """Tijdens een consult in het consultatiebureau volgen een arts en een verpleegkundige de
groei en ontwikkeling van het kind op: wegen, meten, een lichamelijk onderzoek, de vaccinaties
volgens het schema, en ruimte voor vragen over voeding, slapen en opvoeden.

Een consult duurt ongeveer 20 tot 30 minuten. Breng het boekje "Mijn kind" mee.""",
    ),
    DemoArticle(
        "article",
        "Opvolging tot 3 jaar: de consultmomenten",
        FS,
        ("cb-appointment",),
        """Kind en Gezin volgt kinderen van de zwangerschap tot 3 jaar op. Na de geboorte volgen
huisbezoeken en consulten op vaste leeftijden: rond 1, 2, 3, 4 en 6 maanden, rond 9 en 12 maanden,
15 maanden, 18 maanden, 24 maanden en 30 maanden. De precieze momenten spreekt het lokale team af
met het gezin.

Voor kinderen die extra ondersteuning nodig hebben, kan het lokale team meer contacten voorzien.""",
    ),
    DemoArticle(
        "article",
        "Huisbezoek na de geboorte",
        FS,
        ("info-kg", "pregnancy-intro"),
        """Na de geboorte komt een verpleegkundige van het lokale team op huisbezoek. De
kraamkliniek geeft de geboorte door; het lokale team neemt zelf contact op met het gezin.

Heeft een gezin twee weken na de geboorte nog niets gehoord, noteer dan de gemeente en geef de
vraag door aan de backoffice PGJO.""",
    ),
    DemoArticle(
        "article",
        "Startgesprek tijdens de zwangerschap",
        FS,
        ("pregnancy-intro",),
        """Zwangere vrouwen kunnen vanaf de zwangerschap kennismaken met Kind en Gezin in een
**startgesprek**: thuis, in het consultatiebureau of online. Een verpleegkundige of
gezinsondersteuner bespreekt wat het gezin verwacht, welke ondersteuning er is en hoe de opvolging
na de geboorte verloopt.

Een startgesprek aanvragen kan via kindengezin.be of via de Kind en Gezin-Lijn.""",
    ),
    DemoArticle(
        "article",
        "Borstvoeding: hoe vaak en hoe lang",
        FS,
        ("advice",),
        """Borstvoeding wordt gegeven op vraag van de baby: in de eerste weken 8 tot 12 keer per
24 uur. Een baby die goed plast (minstens 6 natte luiers per dag na de eerste week) en groeit,
krijgt meestal genoeg.

Kind en Gezin raadt aan om de eerste 6 maanden uitsluitend borstvoeding te geven als dat lukt, en
daarna naast vaste voeding verder te zetten zolang moeder en kind dat wensen.

Bij pijn, weinig groei of twijfel: doorverwijzen naar de backoffice PGJO of een
lactatiekundige.""",
    ),
    DemoArticle(
        "article",
        "Flesvoeding bereiden en bewaren",
        FS,
        ("advice",),
        """- Was de handen en gebruik propere flessen en spenen.
- Gebruik water dat geschikt is voor zuigelingenvoeding of gekookt en afgekoeld kraantjeswater.
- Doe eerst het water in de fles, dan het juiste aantal afgestreken maatlepels poeder.
- Maak elke voeding vers klaar; restjes na de voeding weggooien.
- Een bereide fles bewaar je hoogstens 24 uur in de koelkast (achteraan, onder 4 °C).

Warm een fles nooit op in de microgolfoven: de melk warmt ongelijk op.""",
    ),
    DemoArticle(
        "article",
        "Starten met vaste voeding",
        FS,
        ("advice",),
        """Tussen 4 en 6 maanden kan een baby starten met vaste voeding, niet vroeger dan 4
maanden en best niet later dan 6 maanden. Begin met kleine hoeveelheden groenten of fruit en
bied elke nieuwe smaak meerdere keren aan.

Allergenen zoals ei, pinda en vis mogen vanaf de start in kleine hoeveelheden. Geen zout, suiker
of honing toevoegen voor de eerste verjaardag.""",
    ),
    DemoArticle(
        "article",
        "Vitamine D en vitamine K voor baby's",
        FS,
        ("advice",),
        """**Vitamine D**: alle kinderen krijgen dagelijks vitamine D tot de leeftijd van 6 jaar.
**Vitamine K**: baby's die borstvoeding krijgen, krijgen de eerste 3 maanden wekelijks vitamine K.

Het consultatiebureau bespreekt de juiste dosis; vitamine D is verkrijgbaar bij de apotheek.""",
    ),
    DemoArticle(
        "article",
        "Veilig slapen",
        FS,
        ("advice",),
        """Om het risico op wiegendood te verkleinen:
- leg de baby altijd op de rug te slapen
- in een eigen bedje, op de kamer van de ouders tot minstens 6 maanden
- in een slaapzak, zonder dekbed, kussen of knuffels in het bed
- in een rookvrije omgeving, kamertemperatuur rond 18 °C

Samen slapen in het bed van de ouders wordt afgeraden, zeker na alcohol of medicatie of als een
ouder rookt.""",
    ),
    DemoArticle(
        "article",
        "Huilen en troosten: als een baby veel huilt",
        FS,
        ("advice", "care-report"),
        """Alle baby's huilen, sommige veel: een piek rond 6 weken is normaal. Help de ouder na te
gaan of de baby honger heeft, pijn, een vuile luier, het te warm of te koud heeft.

Raad aan om rustig te blijven en hulp te vragen als het te veel wordt. Een baby **nooit door
elkaar schudden**. Is de ouder uitgeput of boos, verbind dan door met de backoffice PGJO: een
verpleegkundige belt terug of plant een huisbezoek.""",
    ),
    DemoArticle(
        "article",
        "Doorslapen: wat is normaal per leeftijd",
        FS,
        ("advice",),
        """Jonge baby's slapen in korte periodes en worden 's nachts wakker om te drinken. Rond 6
maanden slapen veel baby's langer door, maar nachtelijk ontwaken blijft tot de peuterleeftijd
normaal.

Een vast slaapritueel (badje, voeding, liedje, in bed) helpt. Bij aanhoudende slaapproblemen kan
het consultatiebureau samen met de ouder een slaapdagboek bekijken.""",
    ),
    DemoArticle(
        "article",
        "Tanden poetsen bij baby's en peuters",
        FS,
        ("advice",),
        """Begin met poetsen zodra het eerste tandje doorkomt: twee keer per dag met een kleine
zachte tandenborstel en een kindertandpasta met fluoride (een rijstkorrel groot tot 2 jaar, een
erwt groot daarna). Laat het kind vanaf 2 jaar jaarlijks controleren bij de tandarts.""",
    ),
    DemoArticle(
        "article",
        "Zindelijk worden",
        FS,
        ("advice",),
        """De meeste kinderen worden overdag zindelijk tussen 2 en 4 jaar; 's nachts kan het
langer duren. Forceren helpt niet. Tekenen dat een kind klaar is: het geeft aan dat de luier nat
is, blijft langer droog, toont interesse in het potje.""",
    ),
    DemoArticle(
        "article",
        "Koorts bij baby's: wanneer naar de dokter",
        FS,
        ("advice",),
        """Koorts is een temperatuur vanaf 38 °C (rectaal gemeten).

Laat de ouder **dezelfde dag** een arts raadplegen als:
- de baby jonger is dan 3 maanden en koorts heeft
- het kind suf is, niet drinkt, ademhalingsproblemen of vlekjes heeft die niet wegdrukken
- de koorts langer dan 3 dagen duurt

Bij levensbedreigende situaties: bel 112.""",
    ),
    DemoArticle(
        "article",
        "Zorgen over een kind: een zorgmelding registreren",
        FS,
        ("care-report",),
        """Iemand maakt zich zorgen over de veiligheid of de ontwikkeling van een kind. Luister,
noteer de feiten zonder te oordelen en registreer het contact met reden **Zorgmelding**.

- Dringend gevaar: bel 112 of de politie (101).
- Vermoeden van geweld of misbruik: verwijs naar het Vertrouwenscentrum Kindermishandeling of de
  hulplijn 1712.
- Andere zorgen over een gezin dat Kind en Gezin opvolgt: escaleren naar de backoffice PGJO, die
  het lokale team inschakelt.""",
    ),
    DemoArticle(
        "article",
        "Vermoeden van kindermishandeling: 1712 en het Vertrouwenscentrum",
        FS,
        ("care-report",),
        """Voor vragen over geweld, misbruik of kindermishandeling kan iedereen gratis en anoniem
terecht bij **1712** (elke werkdag van 9 tot 17 uur, ook via chat en e-mail).

Professionals die een vermoeden van kindermishandeling hebben, kunnen advies vragen aan een
Vertrouwenscentrum Kindermishandeling in hun provincie. Registreer de doorverwijzing
"Vertrouwenscentra Kindermishandeling".""",
    ),
    DemoArticle(
        "article",
        "Groeipakket: wie betaalt uit",
        "",
        ("general",),
        """Elk kind dat in Vlaanderen woont, krijgt een Groeipakket. Het Groeipakket wordt
uitbetaald door een **uitbetaler** die de ouder kiest (het publieke FONS of een private uitbetaler).
Kind en Gezin betaalt het Groeipakket niet zelf uit.

Vragen over bedragen, betaaldata of het aanvragen van het startbedrag: verwijs naar de uitbetaler
van het gezin. Registreer de doorverwijzing "Agentschap Uitbetaling Groeipakket" als de ouder niet
weet wie de uitbetaler is.""",
    ),
    DemoArticle(
        "article",
        "Zorgtoeslag voor kinderen met een specifieke ondersteuningsnood",
        "",
        ("general",),
        """Kinderen met een extra ondersteuningsnood door een aandoening of beperking kunnen recht
hebben op een zorgtoeslag uit het Groeipakket. Opgroeien beoordeelt de aanvraag medisch en sociaal;
de uitbetaler betaalt de toeslag uit.

Vragen over het dossier of een beslissing: doorverwijzen naar de uitbetaler. Een ouder die het niet
eens is met een beslissing kan kosteloos terecht bij de Geschillencommissie.""",
    ),
    DemoArticle(
        "article",
        "Kinderopvang zoeken",
        CC,
        ("childcare-addresses",),
        """Ouders zoeken kinderopvang het best ruim op voorhand, vanaf de zwangerschap.
- Via **Opvang zoeken** op kindengezin.be vinden ze alle vergunde kinderopvanglocaties in hun buurt.
- In veel gemeenten helpt het **Loket kinderopvang** om een plaats te vinden en verloopt de
  aanvraag centraal.

Geef geen voorkeur of beoordeling van een individuele opvang; verwijs naar de zoekfunctie en het
loket van de gemeente.""",
    ),
    DemoArticle(
        "article",
        "Inkomensgerelateerd tarief in de kinderopvang",
        CC,
        ("childcare-fees",),
        """In kinderopvang met een subsidie voor inkomenstarief betalen ouders een
**ouderbijdrage volgens hun inkomen**. Het dagtarief ligt tussen een minimum- en maximumbedrag
dat jaarlijks geïndexeerd wordt.

Om het tarief te bepalen, vraagt de ouder een **attest inkomenstarief** aan via Mijn Kind en
Gezin. Zonder attest betaalt de ouder het maximumtarief.""",
    ),
    DemoArticle(
        "article",
        "Attest inkomenstarief aanvragen",
        CC,
        ("childcare-fees",),
        """Het attest inkomenstarief vraagt de ouder online aan via **Mijn Kind en Gezin**
(aanmelden met eID of itsme). Het inkomen wordt automatisch opgehaald bij de FOD Financiën.
De ouder bezorgt het attest aan de kinderopvang.

Klopt het inkomen niet (bijvoorbeeld na een verandering van gezinssituatie), dan kan de ouder een
herberekening vragen met de nodige bewijsstukken.""",
    ),
    DemoArticle(
        "article",
        "Fiscaal attest kinderopvang voor de belastingaangifte",
        CC,
        ("childcare-fees",),
        """Kosten voor kinderopvang van kinderen jonger dan 14 jaar zijn fiscaal aftrekbaar. De
**kinderopvang** bezorgt het fiscaal attest aan de ouders, niet Kind en Gezin.

Heeft de ouder het attest niet gekregen, dan vraagt die het aan de kinderopvang. Voor vragen over
de aangifte zelf: doorverwijzen naar de FOD Financiën.""",
    ),
    DemoArticle(
        "article",
        "Verminderd tarief of individueel verlaagd tarief",
        CC,
        ("childcare-fees",),
        """Gezinnen met een laag inkomen of in een moeilijke situatie kunnen in kinderopvang met
inkomenstarief een **individueel verlaagd tarief** krijgen. De kinderopvang beslist daarover,
eventueel na advies van het OCMW of een andere hulpverlener.

Verwijs de ouder naar de verantwoordelijke van de kinderopvang.""",
    ),
    DemoArticle(
        "article",
        "Een kinderopvang starten: de vergunning",
        CC,
        ("childcare-qualification",),
        """Wie kinderopvang voor baby's en peuters wil organiseren, heeft een **vergunning** van
Opgroeien nodig. De aanvraag gebeurt via het e-loket kinderopvang. Opgroeien controleert onder
meer de infrastructuur, de brandveiligheid, het attest van goed gedrag en zeden, de kwalificaties
van de verantwoordelijke en het pedagogisch beleid.

Reken op een behandeltermijn van enkele maanden. Vragen over een concreet dossier: escaleren naar
de backoffice kinderopvang.""",
    ),
    DemoArticle(
        "article",
        "Kwalificatievereisten voor kinderbegeleiders",
        CC,
        ("childcare-qualification",),
        """Een kinderbegeleider in de kinderopvang van baby's en peuters moet een
**kwalificatiebewijs** hebben (een erkend diploma of certificaat) of binnen een bepaalde termijn
behalen. De lijst van geldige kwalificatiebewijzen staat op kindengezin.be.

Een buitenlands diploma moet gelijkgeschakeld worden via NARIC-Vlaanderen. Twijfelt de aanvrager,
dan escaleer je naar de backoffice kinderopvang.""",
    ),
    DemoArticle(
        "article",
        "Kwalificatie van de verantwoordelijke van een kinderopvanglocatie",
        CC,
        ("childcare-qualification",),
        """Elke kinderopvanglocatie heeft een verantwoordelijke. Voor groepsopvang gelden strengere
kwalificatievereisten dan voor gezinsopvang, afhankelijk van het aantal kindplaatsen. De
verantwoordelijke volgt ook een opleiding EHBO bij kinderen.""",
    ),
    DemoArticle(
        "article",
        "Opleiding EHBO bij kinderen",
        CC,
        ("childcare-qualification",),
        """Minstens één persoon die aanwezig is tijdens de opvang heeft een attest **EHBO bij
kinderen**. Het attest moet regelmatig opgefrist worden. Organisaties die erkende opleidingen
geven, staan op kindengezin.be.""",
    ),
    DemoArticle(
        "article",
        "Klacht over een kinderopvang",
        CC,
        ("general",),
        """Een ouder die ontevreden is over een kinderopvang, bespreekt dat eerst met de
verantwoordelijke van de opvang. Lukt dat niet, dan kan de ouder een klacht indienen bij de
klachtendienst van Opgroeien.

Gaat het om de veiligheid van kinderen of een gevaarsituatie, registreer dan het contact en
escaleer **dringend** naar de backoffice kinderopvang.""",
    ),
    DemoArticle(
        "article",
        "Ziek kind in de kinderopvang",
        CC,
        ("advice",),
        """Een ziek kind kan in de kinderopvang blijven als het zich goed genoeg voelt en de
andere kinderen geen risico lopen. Bij sommige besmettelijke ziekten geldt een tijdelijke
weigering; de kinderopvang volgt daarvoor de richtlijnen van Kind en Gezin. Raad de ouder aan om
de afspraken van de opvang te bekijken en bij twijfel de huisarts te raadplegen.""",
    ),
    DemoArticle(
        "article",
        "De Kind en Gezin-Lijn: bereikbaarheid en kanalen",
        "",
        ("info-kg",),
        """De Kind en Gezin-Lijn is elke werkdag bereikbaar van 8 tot 20 uur op **078 150 100**,
via e-mail (info@kindengezin.be) en het contactformulier. Chatten met een verpleegkundige kan
zonder identificatie, ook volledig anoniem.

De frontoffice beantwoordt de eerstelijnsvragen; complexe of adviesvragen gaan naar de
backoffice PGJO of kinderopvang (elke werkdag van 9 tot 17 uur).""",
    ),
    DemoArticle(
        "article",
        "Welke gegevens registreren we bij een contact",
        "",
        ("info-kg",),
        """Elk contact wordt geregistreerd: kanaal, tijdstip, onderwerp en reden, en de provincie
(afgeleid van de postcode). Een contact kan **anoniem** zijn: dan registreren we geen naam,
telefoonnummer of e-mailadres. Vraag alleen gegevens die nodig zijn om de vraag te beantwoorden.

Gezondheidsinformatie hoort enkel in de gezondheidsnotitie, die alleen de verpleegkundigen van
de backoffice PGJO en de leidinggevende kunnen lezen.""",
    ),
    DemoArticle(
        "article",
        "Adoptie: het Vlaams Centrum voor Adoptie",
        "",
        ("general",),
        """Vragen over binnenlandse of interlandelijke adoptie beantwoordt het **Vlaams Centrum voor
Adoptie** (VCA), een dienst van Opgroeien. Verwijs de beller door naar de website en het
telefoonnummer van het VCA.""",
    ),
    DemoArticle(
        "article",
        "Franstalige ouders en Wallonië: ONE",
        "",
        ("general",),
        """Kind en Gezin werkt in Vlaanderen en, voor gezinnen die ervoor kiezen, in Brussel.
Franstalige gezinnen in Brussel en gezinnen in Wallonië kunnen terecht bij het **Office de la
Naissance et de l'Enfance** (ONE). Registreer de doorverwijzing "Office de la Naissance et de
l'Enfance".""",
    ),
    DemoArticle(
        "article",
        "Reizen met een baby",
        FS,
        ("advice", "vaccination"),
        """Voor een reis buiten Europa kunnen extra vaccinaties of malariapreventie nodig zijn:
laat de ouder minstens 6 weken voor vertrek advies vragen bij een reiskliniek of de huisarts.

Zon: baby's jonger dan 1 jaar horen niet in de volle zon; gebruik kledij, een hoedje en
zonnecrème met een hoge beschermingsfactor. Geef voldoende te drinken.""",
    ),
    DemoArticle(
        "article",
        "RSV-bescherming voor baby's (concept)",
        FS,
        ("vaccination", "advice"),
        """Concepttekst, nog af te toetsen met de artsen van Kind en Gezin: informatie over de
bescherming van pasgeborenen tegen het RS-virus in het najaar en de winter.""",
        status="draft",
    ),
    DemoArticle(
        "article",
        "Consultatiebureau op zaterdag (proefproject 2022)",
        FS,
        ("cb-appointment",),
        """In 2022 liep in enkele gemeenten een proefproject met zaterdagconsulten. Het project is
afgelopen; consulten gebeuren opnieuw op weekdagen.""",
        status="archived",
    ),
)

TEMPLATES: tuple[DemoArticle, ...] = (
    DemoArticle(
        "template",
        "Antwoord: vaccinatieschema",
        FS,
        ("vaccination",),
        """Beste ouder,

Dank u voor uw vraag over de vaccinaties van uw kind.

Kind en Gezin vaccineert volgens het basisvaccinatieschema van de Vlaamse overheid: op 8, 12 en
16 weken en op 12 en 15 maanden. De vaccins zijn gratis, zowel in het consultatiebureau als bij
uw huisarts of kinderarts. Een overzicht van de vaccinaties die uw kind al kreeg, vindt u op
Mijn Burgerprofiel.

Hebt u nog vragen, dan kunt u ons altijd bellen.""",
        sign_off=True,
    ),
    DemoArticle(
        "template",
        "Antwoord: afspraak in het consultatiebureau verplaatsen",
        FS,
        ("cb-appointment",),
        """Beste ouder,

Dank u om ons te verwittigen. U kunt uw afspraak in het consultatiebureau zelf verplaatsen via
de afsprakenmodule op kindengezin.be, of telefonisch via de Kind en Gezin-Lijn. Zo kan een ander
gezin de vrijgekomen plaats gebruiken.""",
        sign_off=True,
    ),
    DemoArticle(
        "template",
        "Antwoord: vragen over het Groeipakket",
        "",
        ("general",),
        """Beste ouder,

Dank u voor uw bericht. Het Groeipakket wordt uitbetaald door de uitbetaler die u gekozen hebt,
niet door Kind en Gezin. Voor vragen over bedragen, betaaldata of uw dossier neemt u het best
rechtstreeks contact op met uw uitbetaler. Weet u niet wie uw uitbetaler is, dan kan het
Agentschap Uitbetaling Groeipakket u verder helpen.""",
        sign_off=True,
    ),
    DemoArticle(
        "template",
        "Antwoord: attest inkomenstarief",
        CC,
        ("childcare-fees",),
        """Beste ouder,

U kunt het attest inkomenstarief online aanvragen via Mijn Kind en Gezin (aanmelden met eID of
itsme). Uw inkomen wordt automatisch opgehaald; daarna bezorgt u het attest aan uw kinderopvang.
Zonder attest rekent de kinderopvang het maximumtarief aan.""",
        sign_off=True,
    ),
    DemoArticle(
        "template",
        "Antwoord: fiscaal attest kinderopvang",
        CC,
        ("childcare-fees",),
        """Beste ouder,

Het fiscaal attest voor de kosten van kinderopvang krijgt u van uw kinderopvang, niet van Kind en
Gezin. Hebt u het nog niet ontvangen, vraag het dan aan de verantwoordelijke van de opvang. Voor
vragen over uw belastingaangifte kunt u terecht bij de FOD Financiën.""",
        sign_off=True,
    ),
    DemoArticle(
        "template",
        "Antwoord: kinderopvang zoeken",
        CC,
        ("childcare-addresses",),
        """Beste ouder,

Via "Opvang zoeken" op kindengezin.be vindt u alle vergunde kinderopvanglocaties in uw buurt. In
veel gemeenten helpt het Loket kinderopvang u om een plaats te vinden. Wij raden aan om ruim op
voorhand te zoeken, al tijdens de zwangerschap.""",
        sign_off=True,
    ),
    DemoArticle(
        "template",
        "Antwoord: een kinderopvang starten",
        CC,
        ("childcare-qualification",),
        """Beste,

Dank u voor uw interesse om een kinderopvang te starten. Daarvoor hebt u een vergunning van
Opgroeien nodig, die u aanvraagt via het e-loket kinderopvang. Op kindengezin.be vindt u de
voorwaarden, onder meer over de kwalificatie van de verantwoordelijke en de kinderbegeleiders, de
infrastructuur en het pedagogisch beleid.

Hebt u een vraag over uw concrete situatie, dan bezorgen wij uw vraag aan onze collega's van de
backoffice kinderopvang.""",
        sign_off=True,
    ),
    DemoArticle(
        "template",
        "Antwoord: doorgegeven aan een verpleegkundige",
        FS,
        ("advice",),
        """Beste ouder,

Dank u voor uw vraag. Wij hebben ze doorgegeven aan een verpleegkundige van Kind en Gezin. Zij
neemt binnen twee werkdagen contact met u op. Maakt u zich intussen ernstige zorgen over de
gezondheid van uw kind, neem dan contact op met uw huisarts of bel 112 in een noodsituatie.""",
        sign_off=True,
    ),
    DemoArticle(
        "template",
        "Antwoord: doorgegeven aan de backoffice kinderopvang",
        CC,
        ("childcare-addresses", "childcare-qualification", "childcare-fees"),
        """Beste,

Dank u voor uw vraag. Wij hebben ze doorgegeven aan onze collega's van de backoffice
kinderopvang. Zij antwoorden u zo snel mogelijk, uiterlijk binnen twee werkdagen.""",
        sign_off=True,
    ),
    DemoArticle(
        "template",
        "Antwoord: meer gegevens nodig",
        "",
        ("general",),
        """Beste,

Dank u voor uw bericht. Om uw vraag goed te kunnen beantwoorden, hebben wij wat meer informatie
nodig. Kunt u ons bellen op 078 150 100 (elke werkdag van 8 tot 20 uur) en uw referentie
vermelden? Wij vragen enkel de gegevens die nodig zijn om u te helpen.""",
        sign_off=True,
    ),
    DemoArticle(
        "template",
        "Antwoord: uw zorg is goed ontvangen",
        FS,
        ("care-report",),
        """Beste,

Dank u om uw zorg met ons te delen. Wij nemen dit ernstig en hebben uw bericht doorgegeven aan
onze verpleegkundigen. Is een kind in direct gevaar, bel dan onmiddellijk 112 of de politie (101).
Voor vragen over geweld of misbruik kunt u ook gratis en anoniem terecht bij 1712.""",
        sign_off=True,
    ),
    DemoArticle(
        "template",
        "Antwoord: kennismaking tijdens de zwangerschap",
        FS,
        ("pregnancy-intro",),
        """Beste,

Proficiat met uw zwangerschap! Kind en Gezin maakt graag al tijdens de zwangerschap kennis met u
in een startgesprek: thuis, in het consultatiebureau of online. U kunt het startgesprek aanvragen
via kindengezin.be of door ons te bellen.""",
        sign_off=True,
    ),
    DemoArticle(
        "template",
        "Antwoord: veilig slapen",
        FS,
        ("advice",),
        """Beste ouder,

Dank u voor uw vraag over het slapen van uw baby. Wij raden aan om uw baby altijd op de rug te
laten slapen, in een eigen bedje in uw kamer, in een slaapzak en zonder dekbed, kussen of knuffels.
Houd de kamer rookvrij en rond 18 °C. Meer tips vindt u op kindengezin.be bij het thema
"Slapen".""",
        sign_off=True,
    ),
    DemoArticle(
        "template",
        "Antwoord: starten met vaste voeding",
        FS,
        ("advice",),
        """Beste ouder,

Tussen 4 en 6 maanden kan uw baby starten met vaste voeding. Begin met kleine hoeveelheden
groenten of fruit en bied een nieuwe smaak meerdere keren aan. Voeg geen zout, suiker of honing
toe voor de eerste verjaardag. In het consultatiebureau bespreken we graag uw vragen.""",
        sign_off=True,
    ),
    DemoArticle(
        "template",
        "Antwoord: doorverwijzing naar 1712",
        FS,
        ("care-report",),
        """Beste,

Voor vragen over geweld, misbruik of kindermishandeling kunt u gratis en anoniem terecht bij 1712,
elke werkdag van 9 tot 17 uur, ook via chat en e-mail. Is er direct gevaar, bel dan 112.""",
        sign_off=True,
    ),
    DemoArticle(
        "template",
        "Antwoord: klacht over een kinderopvang",
        CC,
        ("general",),
        """Beste ouder,

Dank u om uw ervaring met ons te delen. Wij raden aan om uw ongenoegen eerst te bespreken met de
verantwoordelijke van de kinderopvang. Vindt u samen geen oplossing, dan kunt u een klacht
indienen bij de klachtendienst van Opgroeien. Gaat het om de veiligheid van kinderen, dan
behandelen wij uw melding met voorrang.""",
        sign_off=True,
    ),
    DemoArticle(
        "template",
        "Antwoord: vaccinatiebewijs",
        FS,
        ("vaccination",),
        """Beste ouder,

Alle vaccinaties die uw kind bij Kind en Gezin kreeg, zijn geregistreerd in Vaccinnet. U vindt het
overzicht op Mijn Burgerprofiel (aanmelden met eID of itsme) of u vraagt het aan uw huisarts.""",
        sign_off=True,
    ),
    DemoArticle(
        "template",
        "Slot: nog vragen?",
        "",
        ("general", "info-kg"),
        """Hebt u nog vragen, dan kunt u ons elke werkdag van 8 tot 20 uur bellen op 078 150 100.
Vermeld dan de referentie van dit bericht.""",
        sign_off=True,
    ),
)

DEMO_ARTICLES: tuple[DemoArticle, ...] = ARTICLES + TEMPLATES
