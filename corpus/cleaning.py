"""Remove the debris that scraped article text carries, and undo hard line wrapping.

Real scraped articles contain inline image data (`<image>data:...</image>`), "Related article:"
teasers, "See Also" link lists, comment counters and hard-wrapped lines. `clean_text` removes them
and returns text whose paragraphs are separated by blank lines and whose sentences are not broken
across lines, so that passages cut from it read as the article does.
"""

from __future__ import annotations

import re
import unicodedata

# Inline images, with or without a namespace prefix on the tag (`<image>`, `<ns:image>`).
_IMAGE_TAG = re.compile(
    r"<(?:[\w-]+:)?image\b[^>]*>.*?</(?:[\w-]+:)?image>|<(?:[\w-]+:)?image\b[^>]*/>",
    re.DOTALL | re.IGNORECASE,
)
_DATA_URI = re.compile(r"!?\[[^\]]*\]\(data:[^)]*\)|data:image/[\w.+-]+;base64,[A-Za-z0-9+/=]+")

# Teaser lines that point to another article; the teaser runs to the end of its paragraph.
_TEASER = re.compile(
    r"^\s*(related( article| story)?|read (also|more)|see also|also read|читайте также|"
    r"читайте також|по теме|на тему|həmçinin oxuyun|oxşar xəbərlər)\s*[:：]\s*\S",
    re.IGNORECASE,
)
# Headings that open a list of links to other articles.
_LINK_LIST_HEADING = re.compile(
    r"^\s*(see also|related (articles|posts|stories)|more (stories|from)|read more|"
    r"читайте также|по теме|читайте також|більше новин|həmçinin oxuyun|digər xəbərlər)\s*:?\s*$",
    re.IGNORECASE,
)
_COMMENT_COUNTER = re.compile(
    r"^\s*(no comments|\d+\s+comments?|comments?\s*\(?\d*\)?|комментари(ев|и|й)\s*\(?\d*\)?|"
    r"\d+\s+комментари\w*|коментар(і|ів)\s*\(?\d*\)?|\d+\s+коментар\w*|şərh(lər)?\s*\(?\d*\)?|"
    r"\d+\s+şərh)\s*:?\s*$",
    re.IGNORECASE,
)
_SENTENCE_END = tuple(".!?…:;")
_CLOSERS = "\"”»'’)]"
_BULLET = re.compile(r"^\s*([-•*·]|\d+[.)])\s")


def clean_text(raw: str) -> str:
    """Cleaned text: debris removed, wrapped lines joined, paragraphs separated by blank lines."""
    text = unicodedata.normalize("NFC", raw).replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u00a0", " ").replace("\ufeff", "")
    text = _remove_images(text)
    paragraphs = _drop_debris(_paragraphs(text))
    return "\n\n".join(paragraphs)


def _remove_images(text: str) -> str:
    """Drop inline images; a line that held nothing else disappears rather than turning blank."""
    marked = _DATA_URI.sub("\x00", _IMAGE_TAG.sub("\x00", text))
    lines = [
        line for line in marked.split("\n") if not ("\x00" in line and not line.strip("\x00 \t"))
    ]
    return "\n".join(lines).replace("\x00", "")


def _paragraphs(text: str) -> list[list[str]]:
    """Blocks of non-blank lines (stripped), split at blank lines."""
    blocks: list[list[str]] = [[]]
    for line in text.split("\n"):
        line = re.sub(r"[ \t]+", " ", line).strip()
        if line:
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    return [block for block in blocks if block]


def _drop_debris(blocks: list[list[str]]) -> list[str]:
    """Remove teasers, link lists and counters; join hard-wrapped lines into paragraphs."""
    out: list[str] = []
    for block in blocks:
        kept: list[str] = []
        in_link_list = False
        skip_teaser = False
        for line in block:
            if skip_teaser:
                continue
            if _TEASER.match(line):
                skip_teaser = True
                continue
            if _LINK_LIST_HEADING.match(line):
                in_link_list = True
                continue
            if in_link_list and _looks_like_link_title(line):
                continue
            in_link_list = False
            if _COMMENT_COUNTER.match(line):
                continue
            kept.append(line)
        out.extend(_unwrap(kept))
    return out


def _looks_like_link_title(line: str) -> bool:
    """A short headline-like line, as in lists of links to other articles."""
    return len(line.split()) <= 20 and not line.endswith((".", "!"))


def _unwrap(lines: list[str]) -> list[str]:
    """Join lines that a hard wrap broke mid-sentence; keep headings and bullets on their own."""
    paragraphs: list[str] = []
    for line in lines:
        if paragraphs and _continues(paragraphs[-1], line):
            paragraphs[-1] = f"{paragraphs[-1]} {line}"
        else:
            paragraphs.append(line)
    return paragraphs


def _continues(previous: str, line: str) -> bool:
    if _BULLET.match(line) or previous.rstrip(_CLOSERS).endswith(_SENTENCE_END):
        return False
    starts_lower = line[:1].islower() or line[:1].isdigit()
    return starts_lower or len(previous) >= 60
