from portal.words import spell_out


def test_a_hard_word_is_spelt_out_once_and_the_text_stays_escaped():
    seen = set()
    first = spell_out("<b>STOMP</b> and a C(E)TR, not a CTR (Care and Treatment Review)", seen)
    assert first == (
        "&lt;b&gt;STOMP (stopping over-medication of people with a learning disability, autism "
        "or both)&lt;/b&gt; and a C(E)TR (Care, Education and Treatment Review), not a CTR "
        "(Care and Treatment Review)"
    )
    assert spell_out("STOMP, and ICBs", seen) == "STOMP, and ICBs"
