from __future__ import annotations

import pytest

from models.framing.commitment import commitment_distance, detect_commitment
from models.framing.voice import attributions, continue_quotations, detect_voice, find_quotes


@pytest.mark.parametrize(
    ("text", "language", "speaker"),
    [
        ("«Мы не допустим давления на наших граждан», — заявил источник в МИД России.", "ru",
         "источник в МИД России"),
        ("„Ми не дозволимо тиснути на наших громадян“, — заявив представник міністерства.", "uk",
         "представник міністерства"),
        ('"Bu addım qəbuledilməzdir və cavabsız qalmayacaq", – deyə nazirliyin sözçüsü bildirib.',
         "az", "nazirliyin sözçüsü"),
        ('"We will not accept this pressure on our citizens," said a senior diplomat.', "en",
         "a senior diplomat"),
        ("According to the Kremlin, the talks were constructive.", "en", "the Kremlin"),
        ("Officials in Baku said the centre had no legal status.", "en", "Officials in Baku"),
        ("По словам экспертов, отношения ухудшились.", "ru", "экспертов"),
        ("За даними журналістів, центр закрили.", "uk", "журналістів"),
        ("Ekspertlərin fikrincə, münasibətlər pisləşib.", "az", "Ekspertlər"),
        ("Дружба двух народов, считают в Москве, слишком прочна.", "ru", "в Москве"),
        ("Президент Азербайджану заявив, що літак пошкоджено ззовні.", "uk",
         "Президент Азербайджану"),
    ],
)  # fmt: skip
def test_reported_speech_and_speaker(text: str, language: str, speaker: str) -> None:
    voice = detect_voice(text, language)
    assert voice.kind == "reported"
    assert voice.speaker == speaker
    assert text[voice.speaker_start : voice.speaker_end] == speaker
    assert detect_commitment(text, language, voice).label == "attributed"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Власти Азербайджана закрыли «Русский дом» в Баку.", "ru"),  # a name in quotes
        ('Bakı "Rus evi"nin fəaliyyətini dayandırıb.', "az"),
        ("The plane crashed near Aktau on 25 December.", "en"),
        ("Росія так і не визнала відповідальності.", "uk"),  # negated verb is no report
    ],
)
def test_outlet_voice_and_asserted(text: str, language: str) -> None:
    voice = detect_voice(text, language)
    assert voice.kind == "outlet" and voice.label == "outlet"
    assert detect_commitment(text, language, voice).label == "asserted"


@pytest.mark.parametrize(
    ("text", "language", "cue"),
    [
        ("The plane was reportedly hit by a missile.", "en", "reportedly"),
        ("Some commentators speculated about closing the pipeline.", "en", "speculated"),
        ("По предварительной информации, экипаж направился в Актау.", "ru",
         "По предварительной информации"),
        ("Азербайджан, схоже, вирішив більше не терпіти.", "uk", "схоже"),
        ("Məlumata görə, təyyarə zədələnib.", "az", "Məlumata görə"),
    ],
)  # fmt: skip
def test_hedged(text: str, language: str, cue: str) -> None:
    commitment = detect_commitment(text, language)
    assert commitment.label == "hedged"
    assert [c.text for c in commitment.cues] == [cue]


def test_quotes_short_spans_are_names_and_open_quotes_continue() -> None:
    assert find_quotes("Центр «Русский дом» закрыт.") == []
    text = "«Кремль звик, що столиці терплять його агентуру."
    assert find_quotes(text) == [(0, len(text))]
    assert detect_voice(text, "uk").kind == "reported"


def test_hedge_inside_a_quotation_is_the_speakers() -> None:
    text = '"The missile probably came from the ground," said an analyst.'
    assert detect_commitment(text, "en").label == "attributed"


def test_commitment_distance() -> None:
    assert commitment_distance("asserted", "asserted") == 0.0
    assert commitment_distance("asserted", "attributed") == 1.0
    assert commitment_distance("hedged", "attributed") == 0.5
    with pytest.raises(ValueError, match="unknown commitment"):
        commitment_distance("asserted", "maybe")


def test_hedge_takes_precedence_over_attribution() -> None:
    from models.framing.commitment import detect_commitment

    hedged = detect_commitment(
        "Investigators said the aircraft had probably been damaged by shrapnel.", "en"
    )
    assert hedged.label == "hedged"
    assert [c.text for c in hedged.cues] == ["probably"]
    assert detect_commitment("Officials said the talks were over.", "en").label == "attributed"
    # a hedge inside the speaker's own direct quotation is not the outlet's
    quoted = detect_commitment('A diplomat said: "the talks will probably fail in the end".', "en")
    assert quoted.label == "attributed"
    assert detect_commitment("Самолёт, вероятно, был поражён ракетой.", "ru").label == "hedged"
    assert detect_commitment("Літак нібито збила ракета.", "uk").label == "hedged"
    assert detect_commitment("Təyyarə ehtimal ki, raketlə vurulub.", "az").label == "hedged"


@pytest.mark.parametrize(
    ("text", "language", "speaker"),
    [
        # an insertion between speaker and verb is stepped over
        ("The spokeswoman, in turn, accused the opposition of spreading rumours.", "en",
         "The spokeswoman"),
        ("Maria Lopez, the bank's chief economist, warned that prices would rise.", "en",
         "Maria Lopez"),
        ("The National Bank (NBU) declared that rates would stay unchanged.", "en",
         "The National Bank"),
        # the verb's own clause: after a subordinator, after a coordinator that follows a verb
        ("The carrier cancelled its flights and regulators claimed that the engines were unsafe.",
         "en", "regulators"),
        ("The minister resigned after he admitted that the figures were wrong.", "en", "he"),
        ("The ministry summoned the ambassador and demanded an explanation.", "en",
         "The ministry"),
        ("The ministry summoned the ambassador over the arrests, and demanded an explanation.",
         "en", "The ministry"),
        ("The foreign ministers of Chile and Peru said the border was calm.", "en",
         "The foreign ministers of Chile and Peru"),
        ("The government has since demanded a recount of the votes.", "en", "The government"),
        ("Moscow demands that Kyiv withdraw its troops from the region.", "en", "Moscow"),
        ("The talks, said the envoy, were the hardest in years.", "en", "the envoy"),
        ("МИД вызвал посла Чили и выразил протест против задержания моряков.", "ru", "МИД"),
        ("Кремль тим часом заявив про готовність до нових переговорів.", "uk", "Кремль"),
        ("Türkiyə tərəfi ilkin olaraq bu təklifi dəstəklədiyini bildirib.", "az",
         "Türkiyə tərəfi"),
    ],
)  # fmt: skip
def test_speaker_in_long_sentences(text: str, language: str, speaker: str) -> None:
    voice = detect_voice(text, language)
    assert voice.kind == "reported"
    assert voice.speaker == speaker


@pytest.mark.parametrize(
    "text",
    [
        "Talks stalled over the union's demands for higher wages.",
        "Several member states blocked the proposal on Friday.",
        "The smaller Baltic states rely on imports of electricity.",
        "The president declared a state of emergency in three provinces.",
        "Trade between the United States and Mexico grew by a tenth.",
    ],
)
def test_nouns_and_non_reporting_uses_of_speech_verbs_are_the_outlets(text: str) -> None:
    assert detect_voice(text, "en").kind == "outlet"


def test_a_quotation_that_continues_takes_the_speaker_before_it() -> None:
    texts = [
        "“We will not leave this city,” the mayor said on Monday.",
        "“The people here need us more than ever.”",
        "“Nobody knows what comes next.”",
        "The river rose again overnight.",
        "“It is the worst flood in decades.”",
    ]
    voices = continue_quotations(texts, [detect_voice(t, "en") for t in texts])
    assert [v.label for v in voices] == ["the mayor", "the mayor", "the mayor", "outlet",
                                         "unnamed source"]  # fmt: skip
    assert voices[1].speaker_start is None  # the speaker is not in that passage


@pytest.mark.parametrize(
    ("text", "language", "speaker"),
    [
        # a quotation interrupted by its attribution
        ("«Цены вырастут, — предупредил глава центробанка Армении, — уже к весне».", "ru",
         "глава центробанка Армении"),
        # a speaker after the verb ends after the name, before the circumstances
        ("„Мы не отступим“, — заявил глава профсоюза Армен Саргсян на пресс-конференции.", "ru",
         "глава профсоюза Армен Саргсян"),
        ("„Мы не отступим“, — заявил источник в российских дипломатических кругах.", "ru",
         "источник в российских дипломатических кругах"),
        # a subject that opens the clause, with an insertion and an adverbial before the verb
        ("Министр финансов Чили, несмотря на критику, в понедельник объявил, что налог отменят.",
         "ru", "Министр финансов Чили"),
        ("Генеральна директорка компанії Nordlys під час конференції також заявила, що завод "
         "закриють.", "uk", "Генеральна директорка компанії Nordlys"),
        ("Президент Чили Габриэль Борич в телефонном разговоре принес извинения за инцидент, "
         "и выразил соболезнования семьям погибших.", "ru", "Президент Чили Габриэль Борич"),
        # a quotation introduced by a colon
        ("Посол Чили выступил перед журналистами с коротким заявлением: «Мы не покинем страну».",
         "ru", "Посол Чили"),
        ("Як повідомило міністерство енергетики Молдови, постачання відновлять у вівторок.", "uk",
         "міністерство енергетики Молдови"),
        # Azerbaijani: the subject's head noun after its genitives, and a topic marked by 'isə'
        ("Bakı Metropoliteninin mətbuat xidmətinin rəhbəri Orxan Quliyev jurnalistlərə bildirib "
         "ki, yeni stansiya dekabrda açılacaq.", "az",
         "Bakı Metropoliteninin mətbuat xidmətinin rəhbəri Orxan Quliyev"),
        ("Nazirlik hesabatı dərc edib, şirkətin sədri Elvin Məmmədov isə bildirib ki, qiymətlər "
         "artmayacaq.", "az", "şirkətin sədri Elvin Məmmədov"),
        # the words before the verb are its topic, so the speaker follows it
        ("Об этом сообщил министр транспорта Грузии Леван Давиташвили.", "ru",
         "министр транспорта Грузии Леван Давиташвили"),
        ("Про нові тарифи на проїзд повідомив міський голова Луцька.", "uk",
         "міський голова Луцька"),
        # a participial insertion after the subject; an addressee after the verb is no speaker
        ("Троє науковців, знайомих із результатами аудиту, розповіли агентству, що звіт "
         "переписали.", "uk", "Троє науковців"),
        # source markers with an adjective, and with 'as relayed by'
        ("За останніми даними митної служби Молдови, черги на кордоні скоротилися.", "uk",
         "митної служби Молдови"),
        ("Міст через Дністер, як передають місцеві журналісти, закрили на ремонт.", "uk",
         "місцеві журналісти"),
        # a verb that reports only before a clause, here after a comma
        ("Мерія Тбілісі оголосила, що метро працюватиме до півночі.", "uk", "Мерія Тбілісі"),
        # Azerbaijani: a passive report from an ablative source; a participle before the head
        # noun; a subordinate clause with its own subject; a leading adverbial closed by 'sonra'
        ("Nazirliyin mətbuat xidmətindən bildirilib ki, körpü təmir olunacaq.", "az",
         "Nazirliyin mətbuat xidmətindən"),
        ("Bazarı izləyən müstəqil ekspert Rəşad Quliyev bildirib ki, qiymətlər artacaq.", "az",
         "Bazarı izləyən müstəqil ekspert Rəşad Quliyev"),
        ("Manat bahalaşıb, çünki Mərkəzi Bankın sədri Taleh Kazımov bildirib ki, faizlər "
         "dəyişməyəcək.", "az", "Mərkəzi Bankın sədri Taleh Kazımov"),
        ("Forumun açılışından sonra Dəmir Yollarının sədri Cavid Qurbanov bəyan edib ki, qatarlar "
         "işləyəcək.", "az", "Dəmir Yollarının sədri Cavid Qurbanov"),
        ("Şəhərin şimalındakı fermerlərin nümayəndələri şikayət ediblər ki, su çatmır.", "az",
         "Şəhərin şimalındakı fermerlərin nümayəndələri"),
    ],
)  # fmt: skip
def test_speaker_in_long_sentences_ru_uk_az(text: str, language: str, speaker: str) -> None:
    voice = detect_voice(text, language)
    assert voice.kind == "reported"
    assert voice.speaker == speaker


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("No date has been announced for the reopening of the bridge.", "en"),
        ("Under the said agreement, the fleet may fish in northern waters.", "en"),
        ("The exhibition, titled “Nothing Was Said”, opens in May.", "en"),
        ("Трагедия на шахте напоминает катастрофу 2010 года.", "ru"),  # 'напоминает, что' reports
        # 'announced a tender' is an act, not a report; 'announced that' is one
        ("Мерія Тбілісі оголосила новий тендер на ремонт доріг.", "uk"),
        ("Мэрия Тбилиси объявила тендер на ремонт дорог.", "ru"),
        # a speech verb in a relative clause about a topic describes it
        ("Реформа, про яку міністр освіти заявив ще взимку, набула чинності.", "uk"),
        ("Закон, о котором говорил премьер-министр, вступил в силу в понедельник.", "ru"),
        # a quotation followed by 'adlı' is a title, and what it says is nobody's speech
        ("«Sükutun səsi bizi çağırır» adlı film festivalda göstərilib.", "az"),
    ],
)
def test_speech_verbs_that_report_nothing(text: str, language: str) -> None:
    assert detect_voice(text, language).kind == "outlet"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("The so-called green corridor for grain ships reopened on Monday.", "en"),
        ("Так звана «зелена смуга» для вантажівок запрацювала в понеділок.", "uk"),
        ("Так называемый «зелёный коридор» для грузовиков открылся в понедельник.", "ru"),
    ],
)
def test_so_called_sets_a_name_apart_and_hedges_nothing(text: str, language: str) -> None:
    assert detect_commitment(text, language).label == "asserted"


def test_azerbaijani_modal_hedges_but_an_approximate_number_does_not() -> None:
    assert detect_commitment("Körpü gələn il bağlana bilər.", "az").label == "hedged"
    assert detect_commitment("Səfər təxminən yeddi saat çəkəcək.", "az").label == "asserted"


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        # a clausal verb right after the quotation it reports, or behind a time phrase
        ("“Nobody expected this,” declared the mayor of Porto.", "the mayor of Porto"),
        ("The opposition leader hinted on Sunday that she might step down.",
         "The opposition leader"),
        ("The ministry announced on Friday that taxis would be cheaper.", "The ministry"),
        # the agent of the figures, not the figures
        ("According to figures released on Monday by the national statistics office, prices "
         "rose.", "the national statistics office"),
    ],
)  # fmt: skip
def test_english_reports_after_quotes_time_phrases_and_figures(text: str, speaker: str) -> None:
    voice = detect_voice(text, "en")
    assert voice.kind == "reported" and voice.speaker == speaker


@pytest.mark.parametrize(
    "text",
    [
        "All told, more than a million passengers passed through the airport.",  # set phrase
        "The ministry announced new rules for taxis.",  # an act, not a report
    ],
)
def test_english_speech_verbs_that_report_nothing(text: str) -> None:
    assert detect_voice(text, "en").kind == "outlet"
    assert detect_commitment("The line will almost certainly miss its deadline.", "en").label == (
        "hedged"
    )


def test_a_relative_clause_can_report() -> None:
    # 'which X said were ...' and 'which X blames on ...' attribute a claim to X
    voice = detect_voice("The photos showed dents in the hull, which two naval engineers said "
                         "were typical of a collision.", "en")  # fmt: skip
    assert voice.kind == "reported" and voice.speaker == "two naval engineers"


def test_a_passive_speech_verb_reports_its_agent() -> None:
    voice = detect_voice("Tenants were told by the housing trust last month that rents would "
                         "rise.", "en")  # fmt: skip
    assert voice.kind == "reported" and voice.speaker == "the housing trust"


@pytest.mark.parametrize(
    ("text", "language", "found"),
    [
        ("The ministry said the convoy was hit by artillery, while the rebels denied firing any "
         "shells.", "en", ["said", "denied"]),
        ("В Минздраве заявили, что больница не пострадала, однако местные жители утверждают "
         "обратное.", "ru", ["заявили", "утверждают"]),
        ("Поліція повідомила про затримання трьох людей, а адвокати заявили, що арешт "
         "незаконний.", "uk", ["повідомила", "заявили"]),
        ("Nazirlik bildirib ki, sərhəddə atışma olmayıb, lakin yerli sakinlər bunun əksini iddia "
         "edirlər.", "az", ["bildirib", "iddia edirlər"]),
        ("According to the governor, two villages lost power, and officials in the capital said "
         "repairs would take a week.", "en", ["According to the governor", "said"]),
        ("«Мы заявили решительный протест по этому поводу», — сказал посол.", "ru", ["сказал"]),
        ("Polisin məlumatına görə, iki nəfər saxlanılıb.", "az", ["Polisin məlumatına görə"]),
        ("The Kremlin did not say whether the talks would resume.", "en", []),
        ("The bridge reopened to traffic on Monday after repairs.", "en", []),
    ],
)  # fmt: skip
def test_attributions_finds_every_source_in_the_outlets_words(
    text: str, language: str, found: list[str]
) -> None:
    cues = attributions(text, language)
    assert [c.text for c in cues] == found
    assert all(text[c.start : c.end] == c.text for c in cues)
    if found:  # the voice reports the first of them
        assert detect_voice(text, language).kind == "reported"
