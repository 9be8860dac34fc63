using Paft.Llama.Modeling;
using Paft.Llama.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace Paft.Llama.Inference;

/// <summary>
/// The multiple-choice scoring primitive: log P(continuation | context) for several continuations of
/// one context, as lm-evaluation-harness's <c>loglikelihood</c> defines it. The context is run once
/// into a KV cache; the continuations then run as one batch against copies of that cache, so a
/// four-option question costs one context pass plus one short batched pass.
/// </summary>
public sealed class LogLikelihoodScorer
{
    /// <summary>Logit elements materialised at once when turning hidden states into log-probs.</summary>
    private const long LogitBudget = 16L * 1024 * 1024;

    private readonly LlamaForCausalLM _model;

    /// <summary>Creates a scorer for <paramref name="model"/>.</summary>
    /// <param name="model">The model.</param>
    /// <param name="maxRowsPerBatch">The most continuations run in one batch (contexts are grouped up to this).</param>
    public LogLikelihoodScorer(LlamaForCausalLM model, int maxRowsPerBatch = 32)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        if (maxRowsPerBatch < 1)
            throw new ArgumentOutOfRangeException(nameof(maxRowsPerBatch), maxRowsPerBatch, "must be at least 1");
        MaxRowsPerBatch = maxRowsPerBatch;
    }

    /// <summary>The most continuations run in one batch.</summary>
    public int MaxRowsPerBatch { get; }

    /// <summary>
    /// Scores each continuation after <paramref name="context"/>. The context must hold at least one
    /// token (start it with BOS); an empty continuation scores 0 with 0 tokens.
    /// </summary>
    public IReadOnlyList<ContinuationScore> Score(IReadOnlyList<int> context, IReadOnlyList<IReadOnlyList<int>> continuations) =>
        ScoreBatch([new ScoringRequest(context, continuations)])[0];

    /// <summary>
    /// Scores many (context, continuations) items; items are grouped so that each group's contexts run
    /// as one left-padded batch and its continuations as another. Results are in request order.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<ContinuationScore>> ScoreBatch(IReadOnlyList<ScoringRequest> requests)
    {
        ArgumentNullException.ThrowIfNull(requests);
        var results = new ContinuationScore[requests.Count][];
        for (int i = 0; i < requests.Count; i++)
        {
            var r = requests[i] ?? throw new ArgumentException($"request {i} is null", nameof(requests));
            if (r.Context is null || r.Context.Count == 0)
                throw new ArgumentException($"request {i}: the context is empty; it needs at least one token (e.g. BOS) to predict the first continuation token", nameof(requests));
            if (r.Continuations is null || r.Continuations.Any(c => c is null))
                throw new ArgumentException($"request {i}: continuations must be non-null lists of ids", nameof(requests));
            results[i] = new ContinuationScore[r.Continuations.Count];
        }

        var group = new List<int>();
        int rows = 0;
        for (int i = 0; i < requests.Count; i++)
        {
            int n = requests[i].Continuations.Count;
            if (group.Count > 0 && rows + n > MaxRowsPerBatch)
            {
                ScoreGroup(requests, group, results);
                group.Clear();
                rows = 0;
            }
            group.Add(i);
            rows += n;
        }
        if (group.Count > 0)
            ScoreGroup(requests, group, results);
        return results;
    }

    private void ScoreGroup(IReadOnlyList<ScoringRequest> requests, List<int> group, ContinuationScore[][] results)
    {
        var config = _model.Config;
        var device = _model.Device;
        long vocab = config.VocabSize;

        // One row per non-empty continuation: which item it belongs to, and its tokens.
        var rowItem = new List<long>();
        var rowTokens = new List<IReadOnlyList<int>>();
        var rowTarget = new List<(int Request, int Continuation)>();
        for (int g = 0; g < group.Count; g++)
        {
            var request = requests[group[g]];
            for (int c = 0; c < request.Continuations.Count; c++)
            {
                var tokens = request.Continuations[c];
                if (tokens.Count == 0)
                {
                    results[group[g]][c] = new ContinuationScore(0, 0, true);
                    continue;
                }
                rowItem.Add(g);
                rowTokens.Add(tokens);
                rowTarget.Add((group[g], c));
            }
        }
        if (rowTokens.Count == 0) return;
        foreach (var t in rowTokens)
            CheckIds(t);

        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        using var cache = new KvCache();

        // 1. Contexts, once each: their last position predicts every continuation's first token.
        var (ctxIds, ctxMask) = TokenBatch.Pad(group.Select(i => requests[i].Context).ToList(), left: true, config, device, "context");
        var ctxHidden = _model.ForwardHidden(ctxIds, ctxMask, cache);
        var lastLogits = _model.Logits(ctxHidden.narrow(1, ctxHidden.shape[1] - 1, 1).squeeze(1));   // [G, V]
        var firstLogProbs = lastLogits.log_softmax(-1).reshape(-1);
        var firstGreedy = lastLogits.argmax(-1);
        var rowItemTensor = tensor(rowItem.ToArray(), ScalarType.Int64, device);
        var firstTokens = tensor(rowTokens.Select(t => (long)t[0]).ToArray(), ScalarType.Int64, device);
        using Scalar vocabSize = vocab.ToScalar(); // held: see HeldScalars
        double[] firstScore = firstLogProbs.index_select(0, rowItemTensor.mul(vocabSize).add(firstTokens, HeldScalars.One)).to(ScalarType.Float64).data<double>().ToArray();
        bool[] firstIsGreedy = firstGreedy.index_select(0, rowItemTensor).eq(firstTokens).data<bool>().ToArray();

        var sums = firstScore;
        var greedy = firstIsGreedy;

        // 2. The rest of every continuation, as one right-padded batch over copies of the context cache:
        //    input token j predicts token j + 1.
        int longest = rowTokens.Max(t => t.Count) - 1;
        if (longest > 0)
        {
            using var rowCache = cache.SelectRows(rowItem);
            var inputs = rowTokens.Select(t => (IReadOnlyList<int>)t.Take(t.Count - 1).ToList()).ToList();
            var targets = rowTokens.Select(t => (IReadOnlyList<int>)t.Skip(1).ToList()).ToList();
            var (inIds, inMask) = TokenBatch.Pad(inputs, left: false, config, device, "continuation");
            var (targetIds, _) = TokenBatch.Pad(targets, left: false, config, device, "continuation");
            var hidden = _model.ForwardHidden(inIds, inMask, rowCache);                                  // [R, L, H]

            // lm_head only at the scored positions (Hugging Face's logits_to_keep): padding rows of short
            // continuations never reach the vocabulary projection.
            var scored = inMask.reshape(-1).nonzero().squeeze(1);                                     // [N]
            var scoredHidden = hidden.reshape(-1, hidden.shape[2]).index_select(0, scored);          // [N, H]
            var scoredTargets = targetIds.reshape(-1).index_select(0, scored);                        // [N]
            using Scalar rowLength = ((long)longest).ToScalar(); // held to the end: see HeldScalars
            var scoredRows = scored.div(rowLength, rounding_mode: RoundingMode.floor);                // [N] row of each
            long count = scored.shape[0];
            var rowSums = zeros(rowTokens.Count, ScalarType.Float64, device);
            var rowMisses = zeros(rowTokens.Count, ScalarType.Int64, device);
            long chunk = Math.Max(1, LogitBudget / vocab);
            for (long start = 0; start < count; start += chunk)
            {
                using var chunkScope = NewDisposeScope();
                long n = Math.Min(chunk, count - start);
                var logits = _model.Logits(scoredHidden.narrow(0, start, n));                          // [n, V]
                var target = scoredTargets.narrow(0, start, n);
                var rows = scoredRows.narrow(0, start, n);
                var tokenLogProbs = logits.log_softmax(-1).gather(1, target.unsqueeze(1)).squeeze(1).to(ScalarType.Float64);
                rowSums.index_add_(0, rows, tokenLogProbs, HeldScalars.One);
                rowMisses.index_add_(0, rows, logits.argmax(-1).ne(target).to(ScalarType.Int64), HeldScalars.One);
            }
            double[] restSums = rowSums.data<double>().ToArray();
            long[] misses = rowMisses.data<long>().ToArray();
            for (int i = 0; i < restSums.Length; i++)
            {
                sums[i] += restSums[i];
                greedy[i] &= misses[i] == 0;
            }
        }

        for (int r = 0; r < rowTarget.Count; r++)
        {
            var (request, c) = rowTarget[r];
            results[request][c] = new ContinuationScore(sums[r], rowTokens[r].Count, greedy[r]);
        }
    }

    private void CheckIds(IReadOnlyList<int> ids)
    {
        foreach (int id in ids)
            if ((uint)id >= (uint)_model.Config.VocabSize)
                throw new ArgumentOutOfRangeException("continuations", id, $"continuation token id {id} is outside the vocabulary [0, {_model.Config.VocabSize})");
    }
}
