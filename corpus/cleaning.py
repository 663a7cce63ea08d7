"""Remove the debris that scraped article text carries, and undo hard line wrapping.

Real scraped articles contain inline image data (`<image>data:...</image>`), photo captions and
credits, "Related article:" teasers, "See Also" link lists, comment counters and hard-wrapped
lines. `clean_text` removes them and returns text whose paragraphs are separated by blank lines
and whose sentences are not broken across lines, so that passages cut from it read as the article
does.

A caption describes a picture, not the story: aligned with the body of another article it makes
links that no reader would draw ("the wreckage near the airport, Dec. 25" against "tensions began
on Dec. 25 when the jet crashed"). `is_caption` recognises the three shapes captions take in
news text, in all four languages: a paragraph led by a photo marker ("Photo:", "Фото:",
"Şəkil:"), a short paragraph ending in a photo credit ("... (Photo: Reuters)", "... / AFP"), and
the wire-agency caption, one verbless-looking sentence that ends in a comma and a date
("The wreckage of the jet near Aktau, Kazakhstan, Dec. 25, 2024.").
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
# Captions: at most this many words (a body paragraph is rarely so short and so shaped).
CAPTION_MAX_WORDS = 40
_PHOTO_WORD = (
    r"(?:(?:file |archive )?photo(?:graph)?|image|picture|illustration|фото(?:графия)?|"
    r"иллюстрация|скриншот|світлина|ілюстрація|foto(?:şəkil)?|şəkil)"
)
_CAPTION_LEAD = re.compile(rf"^\W?{_PHOTO_WORD}(?:\s+(?:by|credit))?\s*[:：|/©]", re.IGNORECASE)
_AGENCY = r"(?:reuters|afp|ap|epa|getty images|tass|ria novosti|тасс|риа новости|ап|анадолу|apa)"
_CAPTION_CREDIT = re.compile(
    rf"(?:[(|/—–-]\s*{_PHOTO_WORD}\s*[:：©]\s*[^.:()]{{1,60}}\)?|"
    rf"\((?:{_AGENCY})(?: photo)?(?:/[^)]{{1,40}})?\)|"
    rf"\s[/|]\s*{_AGENCY}(?:/[\w .-]{{1,40}})?|©\s*[^.]{{1,60}})\.?$",
    re.IGNORECASE,
)
_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_MONTHS_GENITIVE = (
    r"(?:января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря|"
    r"січня|лютого|березня|квітня|травня|червня|липня|серпня|вересня|жовтня|листопада|грудня|"
    r"yanvar|fevral|mart|aprel|may|iyun|iyul|avqust|sentyabr|oktyabr|noyabr|dekabr)"
)
_CAPTION_DATE = re.compile(
    rf"(?<!day),\s*(?:{_MONTHS}\.? \d{{1,2}}, \d{{4}}|\d{{1,2}} {_MONTHS} \d{{4}}|"
    rf"\d{{1,2}} {_MONTHS_GENITIVE} \d{{4}}(?: (?:года|г|року|р|il|ildə))?\.?|"
    r"\d{1,2}\.\d{1,2}\.\d{4})\.?$",
    re.IGNORECASE,
)
_SENTENCE_END = tuple(".!?…:;")
_CLOSERS = "\"”»'’)]"
# A sentence end followed by a new sentence (a caption is one sentence; "Dec." is no end).
_SENTENCE_INSIDE = re.compile(r"(?<![A-Z][a-z])(?<![A-Z])[.!?…]\s+[A-ZА-ЯІЇЄҐƏÖÜÇŞĞ]")
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
        out.extend(paragraph for paragraph in _unwrap(kept) if not is_caption(paragraph))
    return out


def is_caption(paragraph: str) -> bool:
    """A photo caption or credit (module docstring): led by a photo marker, ended by a credit,
    or one sentence ending in ', <date>.'; never a paragraph of more than CAPTION_MAX_WORDS."""
    if len(paragraph.split()) > CAPTION_MAX_WORDS:
        return False
    if _CAPTION_LEAD.match(paragraph) or _CAPTION_CREDIT.search(paragraph):
        return True
    dated = _CAPTION_DATE.search(paragraph)
    return dated is not None and not _SENTENCE_INSIDE.search(paragraph[: dated.start()])


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
