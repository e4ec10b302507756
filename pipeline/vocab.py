"""How partnership pages are written: the project's vocabularies, in one place.

Every list here is about wording (Dutch, French, English, German), never about a
particular page or partner. Patterns are matched case-insensitively on text
unless said otherwise.
"""

from __future__ import annotations

import re

# --- instruments (CONTRACT.md protocol_type) ------------------------------
# Order matters: the first type whose pattern matches a label wins, so the more
# specific instruments come before the generic ones.
PROTOCOL_PATTERNS: tuple[tuple[str, str], ...] = (
    ("development_cooperation",
     r"ontwikkelingssamenwerking|coop[ée]ration au d[ée]veloppement|development[- ]cooperation|"
     r"\bGIS\b|\bCIC\b|gemeentelijke internationale samenwerking|"
     r"coop[ée]ration internationale communale|municipal international cooperation|"
     r"entwicklungszusammenarbeit"),
    ("memorandum",
     r"memorandum|\bMoU\b|intentieverklaring|intentiebrief|lettre d'intention|d[ée]claration d'intention|"
     r"protocole d'accord|letter of intent|absichtserkl[äa]rung"),
    ("friendship",
     r"vriendschaps(?:band|akkoord|overeenkomst|verdrag|pact|relatie)|pacte d'amiti[ée]|"
     r"accord d'amiti[ée]|charte d'amiti[ée]|liens? d'amiti[ée]|friendship (?:agreement|pact|treaty|cit)|"
     r"freundschaftsvertrag|freundschaftsabkommen"),
    ("twinning",
     r"jumel|verbroeder|zusterst(?:ad|eden)|zustergemeente|verzuster|twinn|twin (?:town|city|cities)|"
     r"sister[- ](?:city|cities|town)|st[äa]dtepartnerschaft|partnerstadt|partnerst[äa]dte|"
     r"villes? s(?:œ|oe)urs?|partnerstad|partnersteden"),
    ("cooperation_agreement",
     r"samenwerkings(?:akkoord|overeenkomst|protocol|verband|verdrag|charter)|"
     r"(?:accord|convention|protocole|charte|contrat) de (?:coop[ée]ration|partenariat|collaboration)|"
     r"(?:cooperation|partnership|collaboration) (?:agreement|protocol|charter)|"
     r"kooperationsvereinbarung|partnerschaftsvertrag|stedenband|city[- ]link|town[- ]link"),
    ("network_membership",
     r"toetreding|toegetreden|lid van (?:het|de|een) (?:netwerk|vereniging)|adh[ée]sion|adh[ée]r|"
     r"membre (?:du|de l'|d'un) (?:r[ée]seau|association)|member of (?:the )?(?:network|association)|"
     r"mitglied"),
)
PROTOCOL_RES = tuple((code, re.compile(rx, re.IGNORECASE)) for code, rx in PROTOCOL_PATTERNS)

# A stedenband (Flemish city link) is development cooperation with the Global South,
# a twinning elsewhere.
STEDENBAND = re.compile(r"stedenband|city[- ]link|town[- ]link", re.IGNORECASE)

# Page gate: a page that never uses this wording is not about partnerships, and is not
# searched for partners at all (most pages of a site; also what keeps the NLP cheap).
PARTNERSHIP_PAGE = re.compile(
    r"jumel|verbroeder|zusterst|zustergemeente|stedenband|twinn|twin (?:town|city|cities)|sister[- ]cit|"
    r"st[äa]dtepartnerschaft|partnerst[äa]dt|partnerst(?:ad|eden)|partnergemeente|villes? (?:partenaires|jumelles)|"
    r"partner (?:cities|towns|municipalities)|city[- ]links?|internationale? (?:samenwerking|solidariteit|betrekkingen|relaties)|"
    r"coop[ée]ration (?:internationale|d[ée]centralis[ée]e|au d[ée]veloppement|communale)|"
    r"solidarit[ée] internationale|relations internationales|international (?:cooperation|relations|partnerships?)|"
    r"ontwikkelingssamenwerking|samenwerkings(?:akkoord|overeenkomst|protocol)|"
    r"(?:accord|convention|protocole|charte) de (?:coop[ée]ration|partenariat|jumelage)|pacte d'amiti[ée]|"
    r"vriendschaps(?:band|akkoord|overeenkomst)|friendship (?:agreement|pact|city)|"
    r"(?:cooperation|partnership) agreement|memorandum of understanding|internationale zusammenarbeit|"
    r"partnerschap|partenariat|partnership|partnerschaft|partnergemeente|partnergemeinde|vriendenclub|"
    r"city-to-city|stad-tot-stad|ville à ville|de ville à ville|zustergemeenten|verzuster|"
    r"coop[ée]ration (?:d[ée]centralis|entre)|samenwerking (?:met|tussen)|zusammenarbeit (?:mit|zwischen)",
    re.IGNORECASE,
)

# Generic cooperation vocabulary: a sentence needs some to state a partnership.
COOPERATION = re.compile(
    r"samenwerk|partner|jumel|city[- ]link|town[- ]link|verbroeder|verzuster|zusterst|zustergemeente|stedenband|akkoord|overeenkomst|protocol|"
    r"uitwisseling|solidariteit|coop[ée]r|partenariat|partenaire|jumel|accord|convention|amiti[ée]|[ée]change|"
    r"twinn|sister|cooperat|collaborat|agreement|friendship|memorandum|"
    r"toetreding|\btoe tot\b|\blid van\b|\bjoined\b|adh[ée]s|adh[ée]r|partnerschaft|zusammenarbeit|verschwister|ondertek|sign",
    re.IGNORECASE,
)

# --- domains of action (CONTRACT.md domain vocabulary) ---------------------
DOMAIN_PATTERNS: dict[str, str] = {
    "social_action":
        r"sociale? (?:actie|dienst|dienstverlening|werk|beleid|zaken|hulp|acties|projecten|beleidsvoering)|"
        r"sociaal (?:werk|beleid|huis)|maatschappelijke dienstverlening|\bOCMW\b|\bCPAS\b|kansarm|armoede|"
        r"welzijn|action sociale|actions sociales|aide sociale|service social|services sociaux|"
        r"pauvret[ée]|social (?:services?|work|action|welfare)|poverty|sozial",
    "health": r"gezondheid|sant[ée]\b|health|medisch|m[ée]dical|hospita|ziekenhuis|gesundheit|soins",
    "education":
        r"onderwijs|opvoeding|educati|educatie|scholen|school|opleiding|vorming|[ée]ducati|[ée]cole|"
        r"scolaire|enseignement|formation|education|schools?\b|training|bildung|schule",
    "culture":
        r"(?<!agri)cultu|kunst|folklor|carnaval|carnival|bibliothe|erfgoed|patrimoine|heritage|\barts?\b|museum|mus[ée]e|theater|th[ée][âa]tre|"
        r"library|libraries|muziek|musique|music",
    "sport": r"\bsport",
    "youth": r"jeugd|jongeren|jeunesse|jeunes\b|youth|young people|jugend",
    "economy":
        r"econom|[ée]conom|tewerkstelling|werkgelegenheid|emploi|employment|microkrediet|micro-krediet|"
        r"microcr[ée]dit|microcredit|micro-credit|handel\b|commerce|trade\b|ondernem|entrepr|wirtschaft",
    "tourism": r"toeris|touris",
    "environment":
        r"milieu|leefmilieu|environnement|environment|afval|d[ée]chets|waste|netheid|propret[ée]|"
        r"cleanliness|klimaat|climat|climate|groene? ruimte|espaces? verts?|green spaces?|umwelt",
    "water_sanitation":
        r"drinkwater|waterbeheer|watervoorziening|sanitat|sanitation|assainissement|eau potable|"
        r"riolering|\bwater\b|\beau\b|wasser",
    "mobility": r"mobilit|vervoer|transport|verkeer|roads?\b|verkehr",
    "urban_planning":
        r"stedenbouw|ruimtelijke ordening|urbanisme|urban planning|huisvesting|logement|housing|"
        r"openbare werken|travaux publics|public works|stadsplanning|stadsontwikkeling|stadsvernieuwing|"
        r"d[ée]veloppement urbain|am[ée]nagement du territoire|urban (?:development|renewal)|stadtplanung|"
        r"stadtentwicklung|wohnungs",
    "civil_registry":
        r"burgerlijke stand|bevolkingsregister|dienst bevolking|diensten? burgerlijke stand en bevolking|"
        r"identiteits(?:document|kaart)|geboorte|overlijdensakte|[ée]tat civil|registres? (?:de la )?population|"
        r"actes? de naissance|civil (?:status|registr)|registry office|census|volkstelling|recensement|"
        r"standesamt|bev[öo]lkerungsregister",
    "governance":
        r"(?:goed|lokaal|politiek|degelijk) bestuur|bestuurskracht|bestuurlijk|administratie\b|administratieve? (?:capaciteit|diensten|organisatie)|ambtena|verkozen|mandataris|capaciteitsopbouw|versterking van de (?:instellingen|capaciteit)|"
        r"inspraak|participati|ontwikkelingsplan|decentralis|d[ée]centralis|lokale financi|finances locales|"
        r"gouvernance|governance|fonctionnaires|[ée]lus\b|plan (?:communal )?de d[ée]veloppement|"
        r"capacity building|renforcement des capacit|citizen participation|officials|councillors|verwaltung|"
        r"agents (?:communaux|municipaux)|formation des agents|personnel communal|gemeentepersoneel|"
        r"municipal staff|local staff",
    "gender": r"vrouwen|gender|gelijkheid van mannen|femmes|genre\b|[ée]galit[ée] (?:hommes|femmes)|women|frauen",
    "agriculture": r"landbouw|agricult|boeren|veeteelt|[ée]levage|farming|farmers|landwirtschaft",
    "digital":
        r"informatica|computer|\bict\b|digita|num[ée]ri|informatique|e-government|e-gouvernement",
}
DOMAIN_RES = {code: re.compile(rx, re.IGNORECASE) for code, rx in DOMAIN_PATTERNS.items()}

# --- status ------------------------------------------------------------------
ENDED = re.compile(
    r"stopgezet|stop te zetten|stopzetten|be[ëe]indig|ontbonden|ontbinden|opgeheven|niet langer|voormalige|"
    r"(?:einde|fin|end) (?:van|du|de la|of) (?:de |het |la |le |the )?(?:verbroedering|jumelage|twinning|"
    r"samenwerking|partenariat|partnership|stedenband|coop[ée]ration)|"
    r"a pris fin|pris fin|mis fin|dissous|dissolution|rompu|ancien(?:ne)? jumel|n'est plus|"
    r"\bended\b|dissolved|terminated|discontinued|no longer|former twin|beendet|aufgel[öo]st",
    re.IGNORECASE,
)
# A renewal is not when the partnership started: "convention renouvelée le 14 mars 2022".
RENEWED = re.compile(r"renouvel|reconduit|hernieuw|verlengd|vernieuwd|renewed|extended|verl[äa]ngert|erneuert",
                     re.IGNORECASE)

PLANNED = re.compile(
    r"\bzal\b[^.]{0,80}\b(?:ondertekend|ondertekenen|worden|sluiten|afsluiten)|gepland|plannen om|"
    r"in voorbereiding|binnenkort|voorbereidende|intentie om|"
    r"\bsera\b[^.]{0,40}sign|\bsignera\b|(?:signature|jumelage|convention|accord) (?:est )?pr[ée]vue?|en projet|projet de jumelage|envisag|en pr[ée]paration|"
    r"prochainement|will (?:be )?sign|planned|intends? to|upcoming|geplant|soll\b[^.]{0,40}unterzeichnet",
    re.IGNORECASE,
)

# --- partner types -------------------------------------------------------------
# Words that introduce an authority, mapped to CONTRACT.md partner_type.
TYPE_WORDS: dict[str, str] = {
    # nl
    "stad": "city", "steden": "city", "gemeente": "municipality", "stedelijke gemeente": "municipality",
    "landelijke gemeente": "municipality", "deelgemeente": "district", "district": "district",
    "stadsdeel": "district", "provincie": "province", "prefectuur": "province", "regio": "region",
    "departement": "region", "deelstaat": "region", "netwerk": "network", "kanton": "district",
    # fr
    "ville": "city", "commune": "municipality", "commune urbaine": "municipality",
    "commune rurale": "municipality", "municipalité": "municipality", "province": "province",
    "préfecture": "province", "région": "region", "département": "region", "réseau": "network",
    "cercle": "district", "arrondissement": "district", "collectivité": "municipality",
    # en
    "city": "city", "town": "city", "municipality": "municipality", "county": "region",
    "prefecture": "province", "region": "region", "network": "network", "borough": "district",
    # de
    "stadt": "city", "gemeinde": "municipality", "bezirk": "district", "provinz": "province",
    "landkreis": "region", "kreis": "region", "netzwerk": "network",
}
NETWORK_WORDS = re.compile(
    r"^(?:het |le |the |das )?(?:netwerk|r[ée]seau|network|netzwerk|platform|plateforme|"
    r"vereniging|association|union|verbond|alliance|f[ée]d[ée]ration|federatie|bund)\b",
    re.IGNORECASE,
)

# --- names ---------------------------------------------------------------------
UPPER = r"A-ZÀ-ÖØ-ÞĀĂĄĆĈĊČĎĐĒĔĖĘĚĜĞĠĢĤĦĨĪĬĮİĴĶĹĻĽĿŁŃŅŇŊŌŎŐŒŔŖŘŚŜŞŠŢŤŦŨŪŬŮŰŲŴŶŸŹŻŽ"
NAME_WORD = rf"(?:[{UPPER}][\w’'\-.]*[\w]|[{UPPER}]|\d+(?:e|de|ste|ème|er|th|nd|rd|st)?)"
# lower-case words that may stand inside a name: "Aïn Beni Mathar", "Sidi ben Nour", "Villa de Leyva"
NAME_JOINER = r"(?:de|del|della|di|da|do|dos|das|du|des|la|le|el|al|ben|bin|ibn|sur|sous|am|an|im|upon|on|ten|ter|op|aan|bij|van|von|der|den|y)"
NAME = rf"{NAME_WORD}(?:[ \-](?:{NAME_JOINER}[ \-])*{NAME_WORD}){{0,5}}"

# Capitalised words that are never a partner on their own.
NOT_A_NAME = re.compile(
    r"^(?:de|het|een|la|le|les|l'|un|une|the|a|an|die|der|das|en|et|and|und|in|op|met|avec|with|mit|"
    r"dit|deze|dat|ce|cette|this|that|contact|protocol|protocole|actiedomeinen|domaines?|doelstellingen|"
    r"objectifs|meer|lire|read|more|plus|info|home|accueil|zie|voir|see|nieuws|news|actualit[ée]s?|"
    r"burgemeester|bourgmestre|mayor|schepen|[ée]chevin|college|coll[èe]ge|raad|conseil|council|"
    r"zuid|noord|oost|west|sud|nord|est|ouest|south|north|east|europa|europe|afrika|afrique|africa|"
    r"azi[ëe]|asie|asia|amerika|am[ée]rique|america|belgi[ëe]|belgique|belgium|vlaanderen|flandre|"
    r"wallonie|walloni[ëe]|internationale?|international|samenwerking|"
    r"coop[ée]ration|cooperation|jumelage|jumelages|twinning|partnership|partenariat|partners?|"
    r"programma|programme|program|januari|februari|maart|april|mei|juni|juli|augustus|september|"
    r"oktober|november|december|janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[ûu]t|septembre|"
    r"octobre|novembre|d[ée]cembre|january|february|march|may|june|july|august|october|"
    r"sinds|sedert|depuis|since|seit|vzw|asbl|dgd|brulocalis|vvsg|uvcw|fedasil|enz|etc|"
    r"comit[ée]|committee|comité|raad|conseil|bestuur|dienst|service|stadhuis|gemeentehuis|"
    r"h[ôo]tel|maison|land|pays|country|stad|ville|city|jaar|ann[ée]e|year)$",
    re.IGNORECASE,
)

# Month and weekday abbreviations of datelines ("01 Jun '24", "Mo 3. Mai"), never names.
MONTH_ABBREVIATION = re.compile(
    r"^(?:jan|feb|febr|mar|mrt|apr|jun|jul|aug|sep|sept|okt|oct|nov|dec|dez|janv|f[ée]vr|avr|juil|"
    r"mon|tue|wed|thu|fri|sat|sun|ma|di|wo|do|vr|za|zo|lun|mer|jeu|ven|sam|dim|mo|mi|fr|sa|so)\.?$",
    re.IGNORECASE,
)

# --- dates -----------------------------------------------------------------------
MONTHS: dict[str, int] = {
    "januari": 1, "februari": 2, "maart": 3, "april": 4, "mei": 5, "juni": 6, "juli": 7,
    "augustus": 8, "september": 9, "oktober": 10, "november": 11, "december": 12,
    "janvier": 1, "février": 2, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6,
    "juillet": 7, "août": 8, "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11,
    "décembre": 12, "decembre": 12,
    "january": 1, "february": 2, "march": 3, "may": 5, "june": 6, "july": 7, "august": 8,
    "october": 10, "januar": 1, "februar": 2, "märz": 3, "juni ": 6, "oktober ": 10, "dezember": 12,
}
MONTH = "|".join(sorted((m.strip() for m in MONTHS), key=len, reverse=True))
YEAR = r"(?:1[89]\d\d|20\d\d)"
DATE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("dmy_words", re.compile(rf"\b(\d{{1,2}})(?:e|er|ste|de|th|st|nd|rd|\.)?\s+({MONTH})\s+({YEAR})\b", re.I)),
    ("mdy_words", re.compile(rf"\b({MONTH})\s+(\d{{1,2}})(?:th|st|nd|rd)?,?\s+({YEAR})\b", re.I)),
    ("dmy_digits", re.compile(rf"\b(\d{{1,2}})[./-](\d{{1,2}})[./-]({YEAR})\b")),
    ("iso", re.compile(rf"\b({YEAR})-(\d{{2}})-(\d{{2}})\b")),
    ("my_words", re.compile(rf"\b({MONTH})\s+({YEAR})\b", re.I)),
    ("year", re.compile(rf"(?<![\d.,/-]){YEAR}(?![\d/]|[.,]\d)")),
)
# Lines that merely date the page itself.
PAGE_DATE_LINE = re.compile(
    r"laatst (?:gewijzigd|bijgewerkt)|bijgewerkt op|gepubliceerd|mis à jour|mise à jour|publi[ée] le|"
    r"last (?:modified|updated)|updated on|published|zuletzt|copyright|©|\btel\b|\bfax\b|\be-?mail\b",
    re.IGNORECASE,
)

# Address and contact lines ("Grote Markt 1, 1800 Vilvoorde", "Place X 1 - 1300 Wavre").
CONTACT_LINE = re.compile(
    r"(?<![\d+.])\b[1-9]\d{3}\s+[A-ZÀ-Ý][\w'’-]+(?:\s+[A-ZÀ-Ý(][\w'’)-]*)?\s*(?:$|[|·•,–-])"
    r"|(?i:(?:straat|laan|plein|steenweg|markt|dreef|\brue|\bavenue|\bchauss[ée]e|\bboulevard|street|\broad)\b)"
    r"[^.]{0,30}\b\d{1,4}\b",
)
# Number words that may spell a year ("tweeduizend negentien", "deux mille dix-neuf").
YEAR_WORDS = re.compile(r"duizend|honderd|mille|\bcents?\b|thousand|hundred|tausend|hundert", re.IGNORECASE)
# A spreadsheet formula pasted into a page: the partner is its visible label.
FORMULA_LABEL = re.compile(r'^=\s*HYPERLINK\(\s*"[^"]*"\s*[,;]\s*"([^"]*)"\s*\)', re.IGNORECASE)

# Label lines: "Protocol: ...", "Actiedomeinen : ...", "Toetreding: in 2014".
LABEL_LINE = re.compile(
    r"^\s*(?P<label>protocol|protocole|overeenkomst|akkoord|convention|accord|agreement|instrument|"
    r"land|pays|country|staat|soort|nature|kind|genre|thema'?s|themen|"
    r"toetreding|adh[ée]sion|membership|sinds|depuis|since|datum|date|jaar|ann[ée]e|year|"
    r"actiedomeinen|domeinen|domaines?(?: d'action)?|th[ée]matiques?|secteurs?|"
    r"domains?|areas?|fields?|sectors?|themes?|type)\s*:\s*(?P<value>.*)$",
    re.IGNORECASE,
)

# "respectivement depuis 2005, 2009 et 2013": values given in the order of the partners.
RESPECTIVELY = re.compile(r"respectivement|respectievelijk|respectively|jeweils", re.IGNORECASE)
# Words before a name that make it a place where something is, not a partner:
# "in de provincie Nador", "een van de gemeenten van Kinshasa", "la métropole de Lyon".
LOCATIVE_BEFORE_TYPED = re.compile(
    r"\b(?:in|op|dans|au|aux|im|auf|nabij|bij|près)\s+(?:de\s+|het\s+|la\s+|le\s+|l['’]\s*|the\s+|der\s+|die\s+)?"
    r"(?:[a-zà-ÿ-]{3,}\s+(?:de\s+|d['’]\s*|du\s+|of\s+(?:the\s+)?|van\s+)?)?$"
    r"|\b(?:een|één|l['’]une|l['’]un|one)\s+(?:van|des|of)\s+(?:de\s+|the\s+)?(?:\d+\s+)?$",
    re.IGNORECASE,
)
LOCATIVE_BEFORE_NAME = re.compile(
    r"\b(?:in|op|dans|au|aux|à|im|auf|nabij|près|van|of|de|des|du|von|uit|from|d['’])\s*(?:de\s+|het\s+|la\s+|le\s+|l['’]\s*|the\s+)?$",
    re.IGNORECASE,
)
# Nationality adjectives written before a name: "het Duitse Lüdenscheid", "de Oekraïense stad".
NATIONALITY_ADJECTIVE = re.compile(r"^[A-ZÀ-Ý][a-zà-ÿ]+(?:se|sche|ische)$")

# Joining a network: "trad toe tot Energy Cities", "adhère à Energy Cities", "joined Eurocities".
NETWORK_INTRO = re.compile(
    r"\b(?:toe(?:getreden|treden|trad|treedt)?\s+(?:tot|aan)|lid\s+(?:geworden\s+)?van|adh[ée]r\w*\s+(?:à|au|a)|"
    r"membre\s+(?:du|de)|member\s+of|joined|beigetreten|mitglied\s+(?:im|in|des|der))\s+"
    r"(?:het\s+|de\s+|l['’]\s*|la\s+|le\s+|the\s+|das\s+|dem\s+)?"
    r"(?:(?:europese\s+|internationale?\s+)?(?:netwerk|r[ée]seau|network|vereniging|association|netzwerk)\s+)?",
    re.IGNORECASE,
)
