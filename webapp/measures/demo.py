"""Exempelkommun's measures register, written after the seeds (Kalix, Hjo, the 2023 list).

Spread over the current and the two previous years, across units and organisation-wide, with
varied statuses and evaluations and a few measures carried from year to year ("förlängd").
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from webapp.extensions import db
from webapp.measures import services
from webapp.measures.models import Measure
from webapp.organisation.models import Unit

ALL = ["kon", "konsoverskridande", "etnisk", "religion", "funktionsnedsattning",
       "sexuell_laggning", "alder"]
APT_FOLLOWUP = ("Minnesanteckningar från APT. Årlig uppföljning i mars av respektive "
                "verksamhetschef.")
ENKAT = "Medarbetarsamtal, APT och medarbetarenkäten."

# Each entry: year offset (0 = current year), unit code (None = whole organisation), fields,
# then (status, effect, evaluation) for the year, and optionally `then`: the same for each
# following year the measure is extended into.
MEASURES: list[dict[str, Any]] = [
    {
        "offset": -2, "unit": None, "area": "foraldraskap", "grounds": ["kon", "alder"],
        "title": "Se över mötestider så att alla kan delta på APT och andra möten på enheten",
        "goal": "APT och enhetsmöten hålls på tider då både heltids- och deltidsanställda och "
                "medarbetare med hämtning och lämning kan delta.",
        "purpose": "Underlätta att förena förvärvsarbete och föräldraskap.",
        "target_group": "Samtliga chefer",
        "followup_method": "Frågan ställs i uppföljningsenkäten och i medarbetarenkäten.",
        "responsible": "Förvaltningschef", "schedule": "Löpande, avstämning i mars",
        "origin": "Kommungemensamma åtgärder, KSAG § 1/23",
        "result": ("pagar", "delvis", "Hälften av förvaltningarna har flyttat APT till "
                                      "kärntid. Förskola och hemtjänst behöver fler lösningar."),
        "then": [("genomford", "ja", "Alla förvaltningar har APT mellan 09 och 15. I "
                                      "medarbetarenkäten svarar 84 % att det går att förena "
                                      "arbete och föräldraskap (71 % året innan).")],
    },
    {
        "offset": -2, "unit": None, "area": "arbetsforhallanden", "grounds": ["kon"],
        "title": "Sektorsövergripande arbete för möjlighet att arbeta heltid i kommunen",
        "goal": "Fler medarbetare har den sysselsättningsgrad de önskar; andelen ofrivilligt "
                "deltidsanställda minskar varje år.",
        "purpose": "Deltid är vanligast i kvinnodominerade yrken och påverkar lön och pension.",
        "target_group": "Medarbetare inom vård, omsorg, förskola och kost",
        "followup_method": "Personalstatistik över heltid/deltid per kön, årligen i "
                           "personalredovisningen.",
        "responsible": "HR-chef", "schedule": "Flerårigt, delrapport i april",
        "origin": "Kommungemensamma åtgärder, KSAG § 1/23",
        "result": ("pagar", "delvis", "Andelen heltidsanställda ökade från 68 till 72 %. "
                                      "Schemaläggningen i hemtjänsten är inte klar."),
        "then": [("pagar", "delvis", "Andelen heltid är nu 75 %. Arbetet fortsätter med "
                                     "bemanningsplanering i särskilt boende."),
                 ("pagar", None, "")],
    },
    {
        "offset": -2, "unit": None, "area": "lonekartlaggning", "grounds": ["kon"],
        "title": "Årlig lönekartläggning med handlingsplan för osakliga löneskillnader",
        "goal": "Inga osakliga löneskillnader mellan kvinnor och män i lika eller likvärdigt "
                "arbete.",
        "purpose": "Uppfylla 3 kap. 8–10 §§ diskrimineringslagen.",
        "target_group": "Samtliga medarbetare",
        "followup_method": "Sker i samband med lönekartläggningen. Handlingsplanen förmedlas "
                           "till berörda chefer.",
        "responsible": "Personalchef", "schedule": "Årligen, före lönerevisionen",
        "deadline": (-2, 3, 31),
        "result": ("genomford", "ja", "Kartläggningen visade osakliga skillnader i två "
                                      "grupper; fyra löner justerades i lönerevisionen."),
    },
    {
        "offset": -2, "unit": "BUF", "area": "foraldraskap", "grounds": ["kon"],
        "title": "Rutin för kontakt med föräldralediga medarbetare",
        "goal": "Föräldralediga får information om väsentliga verksamhetsförändringar och "
                "inbjudan till APT och lönesamtal.",
        "purpose": "Föräldralediga ska inte missa utveckling eller lönerevision.",
        "target_group": "Föräldralediga medarbetare och deras chefer",
        "followup_method": ENKAT, "responsible": "Rektor/förskolechef", "schedule": "Löpande",
        "result": ("genomford", "delvis", "Rutinen är beslutad men bara hälften av enheterna "
                                          "använder den."),
        "then": [("genomford", "ja", "Alla enheter använder rutinen; föräldralediga bjuds in "
                                     "till lönesamtal.")],
    },
    {
        "offset": -2, "unit": "SOC", "area": "trakasserier", "grounds": ALL,
        "title": "APT-tema om jargong och bemötande med dialogkortleken "
                 "”Jämställdhet och vardagsrasism”",
        "goal": "Alla arbetsgrupper har samtalat om jargong och var gränsen går.",
        "purpose": "Påverka attityder, öka kunskapen och förebygga trakasserier.",
        "target_group": "Samtliga medarbetare", "followup_method": APT_FOLLOWUP,
        "responsible": "Chef", "schedule": "1 ggr/år (mars)",
        "result": ("genomford", "ja", "Genomfört på alla APT i mars. Flera grupper har tagit "
                                      "fram egna trivselregler."),
    },
    {
        "offset": -2, "unit": "VOF-HT", "area": "arbetsforhallanden", "grounds": ALL,
        "title": "Skyddsrond inklusive OSA med frågor om kränkande särbehandling",
        "goal": "Risker i den fysiska och organisatoriska och sociala arbetsmiljön är kända "
                "och åtgärdade.",
        "target_group": "Medarbetare i hemtjänsten", "responsible": "Chef",
        "schedule": "1 ggr/år", "followup_method": "Årlig uppföljning i mars av "
                                                   "verksamhetschef.",
        "result": ("genomford", "ja", "Skyddsronder gjorda i alla sex grupper; två "
                                      "handlingsplaner upprättade."),
    },
    {
        "offset": -2, "unit": "TKF", "area": "rekrytering", "grounds": ALL,
        "title": "Stickprov av annonser för inkluderande formulering",
        "goal": "Alla annonser innehåller kommunens formulering om ett inkluderande perspektiv.",
        "responsible": "Förvaltningschef", "schedule": "Två gånger per år",
        "followup_method": "Stickprov av personalenheten.",
        "result": ("avbruten", "ej_bedomd", "Ersatt av den kommungemensamma mallen i "
                                            "rekryteringsverktyget, som lägger in "
                                            "formuleringen automatiskt."),
    },
    {
        "offset": -1, "unit": None, "area": "kompetensutveckling", "grounds": ALL,
        "title": "Chefsutbildning och workshop i likabehandlingspolicy och aktiva åtgärder",
        "goal": "Alla chefer känner till likabehandlingspolicyn, arbetet i fyra steg och "
                "rutinen mot trakasserier och repressalier.",
        "purpose": "Chefer ska kunna leda arbetet med aktiva åtgärder i sin verksamhet.",
        "target_group": "Samtliga chefer", "responsible": "HR-avdelningen",
        "schedule": "Vår och höst, obligatorisk för nya chefer",
        "followup_method": "Årlig utvärdering av utbildningens innehåll och deltagande.",
        "origin": "Kommungemensamma åtgärder, KSAG § 1/23",
        "result": ("genomford", "ja", "92 av 110 chefer har deltagit. Utvärderingen ger 4,4 "
                                      "av 5."),
        "then": [("planerad", None, "")],
    },
    {
        "offset": -1, "unit": None, "area": "rekrytering", "grounds": ALL,
        "title": "Chefsutbildning i kompetensbaserad rekrytering",
        "goal": "Rekryterande chefer använder kravprofil och strukturerade intervjuer.",
        "purpose": "Minska risken att bedömningar påverkas av diskrimineringsgrunderna.",
        "target_group": "Rekryterande chefer", "responsible": "HR-chef",
        "schedule": "Erbjuds årligen, obligatorisk för nya chefer",
        "followup_method": "Rutinen följs upp av personalenheten genom stickprov.",
        "result": ("genomford", "delvis", "Utbildningen genomförd, men stickproven visar att "
                                          "intervjufrågorna inte alltid bestäms i förväg."),
    },
    {
        "offset": -1, "unit": None, "area": "kompetensutveckling", "grounds": ["alder", "kon"],
        "title": "Plan för användning av omställningsfondens medel",
        "goal": "En tydlig plan för att utveckla och behålla rätt kompetens.",
        "responsible": "HR-chef", "schedule": "Klar till hösten",
        "followup_method": "Redovisas för arbetsgivarutskottet.",
        "deadline": (-1, 10, 31),
        "result": ("pagar", "ej_bedomd", ""),
    },
    {
        "offset": -1, "unit": None, "area": "lonekartlaggning", "grounds": ["kon"],
        "title": "Årlig lönekartläggning med handlingsplan för osakliga löneskillnader",
        "goal": "Inga osakliga löneskillnader mellan kvinnor och män.",
        "target_group": "Samtliga medarbetare", "responsible": "Personalchef",
        "schedule": "Årligen, före lönerevisionen", "deadline": (-1, 3, 31),
        "followup_method": "Sker i samband med lönekartläggningen.",
        "result": ("genomford", "ja", "Inga nya osakliga skillnader; justeringarna från "
                                      "förra året är genomförda."),
    },
    {
        "offset": -1, "unit": "KLF-HR", "area": "samverkan", "grounds": ALL,
        "title": "Aktiva åtgärder som stående punkt i CSG",
        "goal": "Samverkan med arbetstagarorganisationerna sker i alla fyra steg och "
                "dokumenteras.",
        "responsible": "Personalchef", "schedule": "1 ggr/år",
        "followup_method": "Årlig uppföljning i CSG.",
        "result": ("genomford", "ja", "Behandlat i CSG i mars och oktober; protokollen "
                                      "bifogas uppföljningen."),
    },
    {
        "offset": -1, "unit": "BUF-FSK", "area": "arbetsforhallanden", "grounds": ["kon"],
        "title": "Analys av heltid, deltid och visstid per kön i förskolan",
        "goal": "Veta om anställningsformer skiljer sig mellan kvinnor och män.",
        "responsible": "Verksamhetschef förskola", "schedule": "Våren",
        "followup_method": "Personalstatistik, redovisas i ledningsgruppen i april.",
        "result": ("genomford", "ja", "Analysen visar fler visstidsanställda män; "
                                      "rekryteringen av vikarier ses över."),
    },
    {
        "offset": -1, "unit": "BUF-GR", "area": "trakasserier", "grounds": ALL,
        "title": "Utbildning för chefer och skyddsombud i rutinen mot trakasserier och "
                 "repressalier",
        "goal": "Chefer och skyddsombud vet vad som händer när arbetsgivaren får kännedom "
                "om trakasserier.",
        "target_group": "Rektorer och skyddsombud", "responsible": "Verksamhetschef",
        "schedule": "Höstterminen",
        "followup_method": "Uppföljningsenkäten frågar om alla chefer känner till rutinen.",
        "result": ("genomford", "delvis", "Alla rektorer deltog, men bara 60 % av "
                                          "skyddsombuden."),
    },
    {
        "offset": -1, "unit": "SOC-IFO", "area": "loner", "grounds": ALL,
        "title": "Utbildning i saklig lönesättning för lönesättande chefer",
        "goal": "Lönekriterierna tillämpas lika oavsett diskrimineringsgrund.",
        "target_group": "Lönesättande chefer", "responsible": "Förvaltningschef",
        "schedule": "Årligen inför lönerevision",
        "followup_method": "Utvärdering genom enkät.",
        "result": ("genomford", "ja", "Alla åtta lönesättande chefer utbildade."),
    },
    {
        "offset": -1, "unit": "VOF", "area": "jamn_konsfordelning", "grounds": ["kon"],
        "title": "Riktade annonser för att fler män ska söka arbete som undersköterska",
        "goal": "Andelen män bland nyanställda undersköterskor ökar.",
        "responsible": "Förvaltningschef", "schedule": "Under året",
        "followup_method": "Rekryteringsstatistik per kön.",
        "result": ("pagar", "ej_bedomd", ""),
    },
    {
        "offset": -1, "unit": "KFF", "area": "arbetsforhallanden",
        "grounds": ["funktionsnedsattning"],
        "title": "Bedöm lokaler och hjälpmedel för medarbetare med funktionsnedsättning",
        "goal": "Lokalerna fungerar för alla medarbetare.",
        "responsible": "Förvaltningschef", "schedule": "Vid skyddsronden",
        "followup_method": "Skyddsrondens protokoll.",
        "result": ("genomford", "nej", "Inventeringen är gjord, men hiss och ramp på "
                                       "biblioteket saknar budget. Tas upp i lokalplanen."),
    },
    {
        "offset": -1, "unit": "TKF-KO", "area": "kompetensutveckling", "grounds": ["alder"],
        "title": "Lika tillgång till kompetensutveckling för deltidsanställda i köken",
        "goal": "Alla medarbetare har en kompetensplan, oavsett anställningsform.",
        "responsible": "Kostchef", "schedule": "Vid medarbetarsamtal",
        "followup_method": ENKAT,
        "result": ("pagar", "ej_bedomd", ""),
    },
    {
        "offset": 0, "unit": None, "area": "trakasserier", "grounds": ALL,
        "title": "Revidera riktlinjer och rutiner mot trakasserier, sexuella trakasserier "
                 "och repressalier",
        "goal": "Riktlinjerna uttrycker nolltolerans och omfattar chefer, vikarier, "
                "praktikanter och inhyrda; rutinerna säger vem man vänder sig till.",
        "purpose": "DO:s granskning visade brister i många kommuners rutiner om repressalier.",
        "target_group": "Samtliga medarbetare", "responsible": "HR-chef",
        "schedule": "Klart före sommaren", "deadline": (0, 6, 30),
        "followup_method": "Följs upp i CSG och i uppföljningsenkäten.",
    },
    {
        "offset": 0, "unit": None, "area": "arbetsforhallanden", "grounds": ALL,
        "title": "Medvetandegöra aktiva åtgärder genom nanoutbildning för alla medarbetare",
        "goal": "Alla medarbetare vet vad aktiva åtgärder är och vart de vänder sig.",
        "target_group": "Samtliga medarbetare",
        "responsible": "Personalchef, via respektive chef", "schedule": "Löpande",
        "followup_method": "Årlig utvärdering genom SAM-uppföljningen.",
        "result": ("pagar", "ej_bedomd", ""),
    },
    {
        "offset": 0, "unit": None, "area": "lonekartlaggning", "grounds": ["kon"],
        "title": "Årlig lönekartläggning med handlingsplan för osakliga löneskillnader",
        "goal": "Inga osakliga löneskillnader mellan kvinnor och män.",
        "target_group": "Samtliga medarbetare", "responsible": "Personalchef",
        "schedule": "Årligen, före lönerevisionen", "deadline": (0, 3, 31),
        "followup_method": "Sker i samband med lönekartläggningen.",
        "result": ("pagar", "ej_bedomd", ""),
    },
    {
        "offset": 0, "unit": "BUF", "area": "arbetsforhallanden", "grounds": ALL,
        "title": "APT-tema ”Jämlikhet och jämställdhet”",
        "goal": "Diskrimineringsgrunderna beaktas i det dagliga arbetet.",
        "purpose": "Påverka attityder, öka kunskapen och förebygga diskriminering.",
        "target_group": "Samtliga medarbetare", "responsible": "Chef",
        "schedule": "1 ggr/år (mars)", "followup_method": APT_FOLLOWUP,
    },
    {
        "offset": 0, "unit": "BUF-GR-NS", "area": "foraldraskap", "grounds": ["kon"],
        "title": "Strukturerad introduktion vid återgång efter föräldraledighet",
        "goal": "Den som kommer tillbaka får en plan för de första veckorna.",
        "responsible": "Rektor", "schedule": "Löpande", "followup_method": ENKAT,
    },
    {
        "offset": 0, "unit": "SOC", "area": "rekrytering", "grounds": ALL,
        "title": "Strukturerade intervjuer med frågor som bestäms i förväg",
        "goal": "Alla kandidater bedöms mot kravprofilen på samma sätt.",
        "responsible": "Rekryterande chef", "schedule": "Vid varje rekrytering",
        "followup_method": "Rutinen följs upp av personalenheten.",
        "origin": "Utvärderingen av chefsutbildningen i kompetensbaserad rekrytering",
        "result": ("pagar", "ej_bedomd", ""),
    },
    {
        "offset": 0, "unit": "VOF-HT", "area": "arbetsforhallanden", "grounds": ["kon"],
        "title": "Heltid som norm i hemtjänsten: scheman utgår från önskad "
                 "sysselsättningsgrad",
        "goal": "Alla som vill arbeta heltid kan göra det senast vid årets slut.",
        "responsible": "Verksamhetschef hemtjänst", "schedule": "Under året",
        "deadline": (0, 12, 31), "followup_method": "Personalstatistik per kön.",
    },
    {
        "offset": 0, "unit": "SBF", "area": "jamn_konsfordelning", "grounds": ["kon"],
        "title": "Sommarjobb och praktik för unga kvinnor inom gata, park och VA",
        "goal": "Fler kvinnor söker tekniska yrken i förvaltningen.",
        "responsible": "Förvaltningschef", "schedule": "Sommaren",
        "followup_method": "Antal sökande och anställda per kön.",
    },
    {
        "offset": 0, "unit": "KLF", "area": "samverkan", "grounds": ALL,
        "title": "Dokumentera hur samverkan om aktiva åtgärder har skett i FSG",
        "goal": "Det framgår av protokollen hur arbetstagarna har varit delaktiga.",
        "responsible": "Kommundirektör", "schedule": "Vid varje FSG",
        "followup_method": "Protokoll från FSG bifogas uppföljningen.",
    },
]


def _date(base: int, spec: tuple[int, int, int] | None) -> dt.date | None:
    return dt.date(base + spec[0], spec[1], spec[2]) if spec else None


def _apply_result(measure: Measure, result: tuple[str, str | None, str]) -> None:
    status, effect, evaluation = result
    services.evaluate(measure, status, effect or "ej_bedomd", evaluation)


def seed_measures(year: int | None = None) -> list[Measure]:
    """Create the demo register around `year` (default: the current year); flush only."""
    year = year or services.current_period()
    units = {u.code: u for u in db.session.scalars(select(Unit))}
    created = []
    for spec in MEASURES:
        values = {k: v for k, v in spec.items()
                  if k not in ("offset", "unit", "result", "then", "deadline")}
        unit = units.get(spec["unit"]) if spec["unit"] else None
        measure = services.save_measure(
            None, period=year + spec["offset"], unit_id=unit.id if unit else None,
            deadline=_date(year, spec.get("deadline")), **values)
        created.append(measure)
        if "result" in spec:
            _apply_result(measure, spec["result"])
        for result in spec.get("then", []):
            measure = services.extend(measure)
            created.append(measure)
            _apply_result(measure, result)
    return created
