from meetings import quality


def test_it_finds_vague_words_from_the_one_list():
    assert quality.vague_words_in("进一步加强学习，尽量做到，争取年底完成") == ["进一步加强", "尽量", "争取"]
    assert quality.vague_words_in("12 月 31 日前完成台账，每周走访一次") == []
    assert all(w in quality.VAGUE_WORDS for w in ("尽量", "争取", "力争", "进一步加强"))


def test_a_near_repeat_reaches_the_threshold_and_a_different_problem_does_not():
    assert quality.is_repeat("理论学习不够深入", "理论学习不够深入系统")
    assert quality.is_repeat("理论学习不够深入，满足于读文件", "理论学习不够深入、满足于读文件。")
    assert not quality.is_repeat("理论学习不够深入", "为群众办实事不够主动")
    assert not quality.is_repeat("政治理论学习不够系统，满足于读文件", "理论学习不够深入，停留在读文件")
    assert quality.similarity("理论学习不够深入", "理论学习不够深入系统") >= quality.REPEAT_THRESHOLD


def test_a_short_contained_text_counts_as_a_repeat():
    assert quality.is_repeat("下村入户少", "下村入户少，群众反映的问题跟进不及时") is False  # 5 characters: too short
    assert quality.is_repeat("对群众反映的问题跟进不及时", "下村入户少，对群众反映的问题跟进不及时")


def test_problem_hints_name_the_earlier_year_and_stock_phrases():
    earlier = [quality.Earlier(2024, "理论学习不够深入，满足于读文件")]
    hints = quality.problem_hints("理论学习不够深入，满足于读文件", earlier)
    assert [h.kind for h in hints] == ["repeat"] and "2024" in hints[0].message
    assert [h.kind for h in quality.problem_hints("理论学习不够")] == ["stock"]
    assert quality.problem_hints("为群众办低保时解释不耐心，3 次被投诉", earlier) == []


def test_measure_hints_quote_the_vague_words():
    (hint,) = quality.measure_hints("尽量多下村")
    assert hint.kind == "vague" and "尽量" in hint.message
    assert quality.measure_hints("每周二下村一次") == []
