"""ai.txt, tdmrep.json, the RSL licence and the TDM policy, read back with real parsers."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from protego import Protego

from consentry.errors import InvalidInput
from consentry.purposes import VOCABULARY
from consentry.signals import site_files
from consentry.signals.crawlers import load_registry
from consentry.signals.enforcement import (
    REFUSAL_CODE,
    crawler_purpose,
    judge_crawler,
    operator_slug,
)
from consentry.signals.preferences import derive_preferences

ALLOWED = {p.id: True for p in VOCABULARY}
RESERVED = derive_preferences(ALLOWED | {"train-ai": False, "ai-input": False})
OPEN = derive_preferences(ALLOWED)
PATHS = ("/tracks/", "/v1/tracks/")
RSL = "{https://rslstandard.org/rsl}"


def test_ai_txt_keeps_dataset_tools_off_the_audio_when_training_is_reserved() -> None:
    txt = site_files.ai_txt(RESERVED, PATHS)
    robots = Protego.parse(txt)
    assert not robots.can_fetch("https://music.example/media/take.mp3", "img2dataset")
    assert not robots.can_fetch("https://music.example/v1/tracks/3/audio", "img2dataset")
    assert robots.can_fetch("https://music.example/about", "img2dataset")
    opened = Protego.parse(site_files.ai_txt(OPEN, PATHS))
    assert opened.can_fetch("https://music.example/media/take.mp3", "img2dataset")


def test_ai_txt_appends_the_operators_lines() -> None:
    txt = site_files.ai_txt(RESERVED, PATHS, "Disallow: *.zip\n\n")
    assert txt.endswith("# Added by the site operator\nDisallow: *.zip\n")


def test_tdmrep_reserves_the_content_paths_and_points_to_the_policy() -> None:
    entries = json.loads(site_files.tdmrep_json(RESERVED, PATHS, "https://m.example/p.json"))
    assert entries == [{"location": f"{p}*", "tdm-reservation": 1,
                        "tdm-policy": "https://m.example/p.json"} for p in PATHS]
    # TDMRep readers ignore a policy next to 0, so none is written.
    assert json.loads(site_files.tdmrep_json(OPEN, PATHS, "https://m.example/p.json")) == [
        {"location": f"{p}*", "tdm-reservation": 0} for p in PATHS]


def test_a_policy_url_cannot_break_out_of_its_field() -> None:
    with pytest.raises(InvalidInput):
        site_files.tdmrep_json(RESERVED, PATHS, 'https://m.example/"x')


def test_the_rsl_licence_permits_search_and_prohibits_the_reserved_uses() -> None:
    xml = site_files.rsl_licence(RESERVED, PATHS, "https://m.example/licensing?a=1&b=2",
                                 "https://licence.m.example/")
    root = ET.fromstring(xml)
    assert root.tag == f"{RSL}rsl"
    contents = root.findall(f"{RSL}content")
    assert [c.get("url") for c in contents] == list(PATHS)
    assert contents[0].get("server") == "https://licence.m.example/"
    licence = contents[0].find(f"{RSL}license")
    assert licence is not None
    assert [p.text for p in licence.findall(f"{RSL}permits")] == ["search"]
    assert [p.text for p in licence.findall(f"{RSL}prohibits")] == ["ai-input", "ai-train"]
    assert licence.findtext(f"{RSL}legal") == "https://m.example/licensing?a=1&b=2"


def test_the_tdm_policy_is_an_odrl_offer_to_mine() -> None:
    offer = json.loads(site_files.tdm_policy("https://m.example/p.json", "https://m.example",
                                             "https://m.example/licensing", "Music Example"))
    assert offer["@type"] == "Offer" and offer["profile"] == "http://www.w3.org/ns/tdmrep"
    assert offer["permission"][0]["action"] == "tdm:mine"


def test_each_kind_of_crawler_is_judged_under_a_purpose_of_the_vocabulary() -> None:
    registry = load_registry()
    by_token = {c.token: c for c in registry.crawlers}
    assert crawler_purpose(by_token["GPTBot"]) == "third-party-training:openai"
    assert crawler_purpose(by_token["CCBot"]) == "third-party-training:common-crawl"
    assert crawler_purpose(by_token["OAI-SearchBot"]) == "web-search"
    assert crawler_purpose(by_token["ChatGPT-User"]) == "ai-input"
    assert operator_slug("Zoë & Sons, Ltd.") == "zoe-sons-ltd"
    refusal = judge_crawler(by_token["GPTBot"], "track 3", False, "no opt-in")
    assert refusal is not None and refusal.body()["error"] == REFUSAL_CODE
    assert judge_crawler(by_token["GPTBot"], "track 3", True, "") is None
