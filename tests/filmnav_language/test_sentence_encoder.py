"""The offline sentence encoder: loads without network, one instance per process, batch and
cached paths agree, and the tokenizer tells ordinary words from misspellings."""

from __future__ import annotations

import pytest
import torch

from filmnav_language.sentence_encoder import (
    DEFAULT_TEXT_ENCODER,
    SentenceEncoder,
    build_text_encoder,
    model_folder,
)


def test_default_encoder_is_shared_and_offline():
    encoder = build_text_encoder()
    assert encoder is build_text_encoder(DEFAULT_TEXT_ENCODER)
    assert isinstance(encoder, SentenceEncoder)
    assert encoder.dim == 384 and encoder.name == DEFAULT_TEXT_ENCODER


def test_batch_and_cached_encodings_agree():
    encoder = build_text_encoder()
    texts = ["a chair", "somewhere to sleep", "the telly"]
    one_by_one = encoder.encode(texts)
    batch = encoder.encode_batch(texts)
    assert one_by_one.shape == batch.shape == (3, 384)
    assert torch.allclose(one_by_one, batch, atol=1e-5)
    assert encoder.encode([]).shape == encoder.encode_batch([]).shape == (0, 384)
    hits = encoder.hits
    encoder.encode(["a chair"])  # goals repeat at every decision: remembered
    assert encoder.hits == hits + 1
    similar = torch.cosine_similarity(batch[0], encoder.encode(["a seat"])[0], dim=0)
    unrelated = torch.cosine_similarity(batch[0], encoder.encode(["a thunderstorm"])[0], dim=0)
    assert similar > unrelated


def test_known_words_are_whole_tokens():
    encoder = build_text_encoder()
    assert encoder.is_known_word("chair") and encoder.is_known_word("chain")
    assert not encoder.is_known_word("chiar") and not encoder.is_known_word("refridgerator")


def test_vectors_are_the_sentence_transformers_packages():
    """The encoder runs the model with transformers (the package's import is slow): its pooled,
    normalised vectors are those sentence-transformers computes for the same model."""
    from sentence_transformers import SentenceTransformer

    encoder = build_text_encoder()
    reference = SentenceTransformer(str(model_folder(DEFAULT_TEXT_ENCODER)), device="cpu")
    texts = ["a chair", "somewhere to sleep", "the big red sofa next to the window", "", "telly"]
    expected = torch.from_numpy(reference.encode(texts, convert_to_numpy=True))
    assert torch.allclose(encoder.encode_batch(texts), expected, atol=1e-5)


def test_unsupported_pooling_is_a_clear_error(tmp_path):
    (tmp_path / "1_Pooling").mkdir()
    (tmp_path / "modules.json").write_text(
        '[{"path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}]'
    )
    (tmp_path / "1_Pooling/config.json").write_text('{"pooling_mode_weightedmean_tokens": true}')
    with pytest.raises(ValueError, match="pooling_mode_weightedmean_tokens"):
        SentenceEncoder(str(tmp_path))
