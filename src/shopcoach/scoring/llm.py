"""The ``llm`` judge: any dimension, asked of an OpenAI-compatible chat model (a plug-in).

It sends the transcript and the dimension's rubric to ``{llm_base_url}/chat/completions``
(``llm_model``, ``llm_api_key`` from settings) at temperature 0 and expects a JSON object
``{"label": "pass|partial|fail|n/a", "reason": "..."}`` back. A server error or an answer
that is not such an object raises :class:`~shopcoach.errors.ConfigError` naming the
conversation, so a run stops (chunks already scored stay) instead of storing guesses.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import httpx
import orjson

from shopcoach.errors import ConfigError
from shopcoach.scoring.config import LABELS, ScoringConfig
from shopcoach.scoring.judges import JudgeInput, register_judge
from shopcoach.scoring.model import Verdict

if TYPE_CHECKING:
    from shopcoach.settings import Settings

RUBRICS = {
    "accuracy": "Are the AI's factual claims (prices, stock, sizes, delivery times, policy "
    "windows, products) correct? fail: any wrong fact; partial: unverifiable claims; pass: "
    "all correct.",
    "relevance": "Do the AI's answers address what the customer asked? pass: on point; "
    "partial: partly; fail: off topic.",
    "tone": "Is the AI polite, on brand and empathetic where the customer complains? pass / "
    "partial (minor issues) / fail (rude, banned wording, no empathy on a complaint).",
    "resolution": "Was the customer's issue resolved without escalation or a repeat contact? "
    "pass / partial / fail.",
}
MAX_TRANSCRIPT_CHARS = 6000
_JSON_RE = re.compile(r"\{.*\}", re.S)


class LlmJudge:
    name = "llm"

    def __init__(self, base_url: str, model: str, api_key: str | None, timeout: float = 30.0):
        if not base_url.startswith(("http://", "https://")):
            raise ConfigError(
                f"LLM base URL {base_url!r} is not an http(s) URL.",
                hint="Set SHOPCOACH_LLM_BASE_URL, e.g. http://127.0.0.1:8080/v1.",
            )
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.model = model
        self.client = httpx.Client(base_url=base_url.rstrip("/"), headers=headers, timeout=timeout)

    def close(self) -> None:
        self.client.close()

    def judge(self, dimension: str, item: JudgeInput) -> Verdict | None:
        conv = item.conversation
        transcript = "\n".join(f"[{m.seq}] {m.role}: {m.text}" for m in conv.messages)
        prompt = (
            f"Rate this e-commerce support conversation on {dimension.upper()}.\n"
            f"Rubric: {RUBRICS[dimension]}\n"
            f"Intent: {conv.intent or '-'}; outcome: {conv.outcome or '-'}.\n\n"
            f"{transcript[:MAX_TRANSCRIPT_CHARS]}\n\n"
            'Reply with JSON only: {"label": "pass" | "partial" | "fail" | "n/a", '
            '"reason": "<one sentence>"}'
        )
        payload = {
            "model": self.model,
            "temperature": 0,
            "messages": [
                {"role": "system", "content": "You are a strict QA reviewer."},
                {"role": "user", "content": prompt},
            ],
        }
        where = f"conversation {conv.external_id!r} ({dimension})"
        try:
            response = self.client.post("/chat/completions", json=payload)
            response.raise_for_status()
            content = response.json()["choices"][0]["message"]["content"]
        except (httpx.HTTPError, KeyError, IndexError, TypeError, ValueError) as exc:
            raise ConfigError(
                f"The LLM judge failed on {where}: {exc}.",
                hint="Check SHOPCOACH_LLM_BASE_URL / _MODEL / _API_KEY, or use "
                "a built-in judge for this dimension.",
            ) from exc
        verdict = parse_verdict(str(content))
        if verdict is None:
            raise ConfigError(
                f"The LLM judge gave no usable verdict on {where}: {str(content)[:200]!r}.",
                hint="Use a model that follows JSON instructions.",
            )
        label, reason = verdict
        if label == "n/a":
            return None
        return Verdict(label, reason, [{"judge": "llm", "model": self.model}])


def parse_verdict(content: str) -> tuple[str, str] | None:
    """(label, reason) from a model's reply, or None when it holds no valid verdict."""
    m = _JSON_RE.search(content)
    if not m:
        return None
    try:
        data: Any = orjson.loads(m.group())
    except orjson.JSONDecodeError:
        return None
    if not isinstance(data, dict):
        return None
    label = str(data.get("label", "")).strip().lower()
    if label not in (*LABELS, "n/a"):
        return None
    return label, str(data.get("reason", ""))[:500]


@register_judge(
    "llm",
    dimensions=("accuracy", "relevance", "tone", "resolution"),
    summary="An OpenAI-compatible chat model (llm_base_url, llm_model, llm_api_key).",
)
def _llm(config: ScoringConfig, settings: Settings | None) -> LlmJudge:
    if settings is None or not settings.llm_base_url:
        raise ConfigError(
            "The scoring config uses the llm judge but no LLM is configured.",
            hint="Set SHOPCOACH_LLM_BASE_URL (and _MODEL, _API_KEY), or pick a built-in judge.",
        )
    return LlmJudge(settings.llm_base_url, settings.llm_model, settings.llm_api_key)
