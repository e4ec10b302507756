"""Tag and attribute patterns used to read the structure of an HTML page."""

from __future__ import annotations

import re

# Elements whose content is never page text.
DROP_TAGS = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "svg",
        "iframe",
        "object",
        "embed",
        "canvas",
        "select",
        "option",
        "button",
        "input",
        "textarea",
        "head",
    }
)

# Elements that are navigation or page furniture by their very tag.
BOILERPLATE_TAGS = frozenset({"nav", "header", "footer", "aside", "form"})

# class/id/role values that mark menus, banners, footers and the like.
BOILERPLATE_ATTR = re.compile(
    r"(?:^|[\s_-])(?:nav|navbar|navigation|menu|megamenu|breadcrumbs?|footer|header|masthead|"
    r"cookies?|consent|gdpr|sidebar|share|sharing|social|skip|search|banner|login|"
    r"lang(?:uage)?-?(?:switch|select)|toolbar|pagination|pager|related|newsletter|"
    r"modal|popup|topbar|site-?info|copyright)(?:$|[\s_-])",
    re.IGNORECASE,
)
BOILERPLATE_ROLES = frozenset({"navigation", "banner", "contentinfo", "search", "menu", "menubar"})

HEADING_TAGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
ITEM_TAGS = frozenset({"li", "dt", "dd"})
ROW_TAGS = frozenset({"tr"})
CELL_TAGS = frozenset({"td", "th"})

# Elements that end a run of text (a block boundary).
BLOCK_TAGS = frozenset(
    {
        "address",
        "article",
        "blockquote",
        "body",
        "caption",
        "center",
        "dd",
        "details",
        "dialog",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "li",
        "main",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "tfoot",
        "thead",
        "tr",
        "ul",
        "html",
        *BOILERPLATE_TAGS,
    }
)
LINE_BREAK_TAGS = frozenset({"br"})
