using Paft.Llama.Inference;
using Paft.Llama.Modeling;
using Paft.Llama.Tokenization;
using Paft.MLNet.Evaluation;
using Paft.MLNet.Prompts;
using Paft.MLNet.Tasks;
using TorchSharp;

namespace Paft.MLNet.Scoring;

/// <summary>
/// A causal LM answering multiple-choice prompts: scores options by log-likelihood (answer letters or
/// option texts, batched, the prompt computed once per example) or generates and extracts a letter.
/// </summary>
internal sealed class MultipleChoiceScorer : IMultipleChoiceScorer
{
    private readonly LogLikelihoodScorer _scorer;
    private readonly LlamaGenerator _generator;
    private readonly Dictionary<TaskDefinition, int> _letterReserves = new(ReferenceEqualityComparer.Instance);

    public MultipleChoiceScorer(LlamaForCausalLM model, ILlamaTokenizer tokenizer, int batchSize = 16, int maxNewTokens = 16)
    {
        Model = model;
        Tokenizer = tokenizer;
        BatchSize = batchSize;
        MaxNewTokens = maxNewTokens;
        _scorer = new LogLikelihoodScorer(model, maxRowsPerBatch: batchSize);
        _generator = new LlamaGenerator(model);
    }

    public LlamaForCausalLM Model { get; }

    public ILlamaTokenizer Tokenizer { get; }

    public int BatchSize { get; }

    public int MaxNewTokens { get; }

    /// <summary>Answers every prompt; <paramref name="optionTexts"/> is needed by the option-text modes only.</summary>
    public IReadOnlyList<MultipleChoiceAnswer> Answer(IReadOnlyList<string> prompts, TaskDefinition task, ScoringMode mode,
        IReadOnlyList<IReadOnlyList<string>>? optionTexts = null)
    {
        using var noGrad = torch.no_grad();
        bool wasTraining = Model.training;
        Model.eval();
        try
        {
            return mode switch
            {
                ScoringMode.AnswerLetter => ScoreContinuations(prompts, _ => task.AnswerLabels, normalize: false),
                ScoringMode.OptionText => ScoreContinuations(prompts, i => Options(optionTexts, i, task), normalize: false),
                ScoringMode.OptionTextNormalized => ScoreContinuations(prompts, i => Options(optionTexts, i, task), normalize: true),
                ScoringMode.Generation => Generate(prompts, task),
                _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown scoring mode."),
            };
        }
        finally
        {
            Model.train(wasTraining);
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<int> Predict(IReadOnlyList<string> prompts, TaskDefinition task) =>
        Answer(prompts, task, ScoringMode.AnswerLetter).Select(a => a.PredictedIndex).ToArray();

    /// <summary>The token ids of a prompt (with BOS) and of an answer continuation after it.</summary>
    public (IReadOnlyList<int> Context, IReadOnlyList<int> Continuation) EncodePair(string prompt, string answer) =>
        EncodePair(prompt, Tokenizer.Encode(prompt, addBos: true), answer);

    /// <summary>As <see cref="EncodePair(string, string)"/>, with the prompt's own ids (BOS included) already encoded.</summary>
    public (IReadOnlyList<int> Context, IReadOnlyList<int> Continuation) EncodePair(string prompt, IReadOnlyList<int> contextIds, string answer)
    {
        // Encode the whole text and cut it where the prompt's own encoding ends, as lm-evaluation-harness
        // does: a tokenizer may merge across the boundary, and this keeps the ids the model would see.
        string whole = prompt + AnswerSeparator(prompt) + answer;
        IReadOnlyList<int> wholeIds = Tokenizer.Encode(whole, addBos: true);
        int common = 0;
        while (common < contextIds.Count && common < wholeIds.Count - 1 && contextIds[common] == wholeIds[common])
            common++;
        return (wholeIds.Take(common).ToArray(), wholeIds.Skip(common).ToArray());
    }

    /// <summary>Tokens an answer label takes after a cue, plus one for EOS: the same for every row of a task.</summary>
    public int LetterReserve(TaskDefinition task)
    {
        lock (_letterReserves)
        {
            if (!_letterReserves.TryGetValue(task, out int reserve))
                _letterReserves[task] = reserve = task.AnswerLabels.Max(l => Tokenizer.Encode(" " + l).Count) + 1;
            return reserve;
        }
    }

    /// <summary>The text put between a prompt and its answer: a space, unless the prompt already ends in white space.</summary>
    public static string AnswerSeparator(string prompt) =>
        prompt.Length > 0 && char.IsWhiteSpace(prompt[^1]) ? "" : " ";

    private IReadOnlyList<MultipleChoiceAnswer> ScoreContinuations(IReadOnlyList<string> prompts,
        Func<int, IReadOnlyList<string>> answersOf, bool normalize)
    {
        var results = new MultipleChoiceAnswer[prompts.Count];
        for (int start = 0; start < prompts.Count; start += BatchSize)
        {
            int end = Math.Min(prompts.Count, start + BatchSize);
            var requests = new List<ScoringRequest>();
            var owners = new List<(int Prompt, int[] Options)>();
            for (int i = start; i < end; i++)
            {
                IReadOnlyList<string> answers = answersOf(i);
                IReadOnlyList<int> contextIds = Tokenizer.Encode(prompts[i], addBos: true); // once per prompt, not per option
                // Options whose encoding shares the prompt's context go in one request (the context is
                // computed once); an option whose tokens merged across the boundary gets its own.
                foreach (var group in answers.Select((answer, k) => (Pair: EncodePair(prompts[i], contextIds, answer), k))
                             .GroupBy(x => string.Join(' ', x.Pair.Context)))
                {
                    var members = group.ToArray();
                    requests.Add(new ScoringRequest(members[0].Pair.Context, members.Select(m => m.Pair.Continuation).ToArray()));
                    owners.Add((i, members.Select(m => m.k).ToArray()));
                }
            }

            IReadOnlyList<IReadOnlyList<ContinuationScore>> scores = _scorer.ScoreBatch(requests);
            var logLikelihoods = new Dictionary<int, double[]>();
            for (int r = 0; r < requests.Count; r++)
            {
                (int prompt, int[] options) = owners[r];
                double[] row = logLikelihoods.TryGetValue(prompt, out double[]? existing)
                    ? existing
                    : logLikelihoods[prompt] = new double[answersOf(prompt).Count];
                for (int j = 0; j < options.Length; j++)
                {
                    double ll = scores[r][j].LogLikelihood;
                    if (normalize)
                        ll /= Math.Max(1, System.Text.Encoding.UTF8.GetByteCount(answersOf(prompt)[options[j]]));
                    row[options[j]] = ll;
                }
            }
            for (int i = start; i < end; i++)
                results[i] = FromLogLikelihoods(logLikelihoods[i]);
        }
        return results;
    }

    private IReadOnlyList<MultipleChoiceAnswer> Generate(IReadOnlyList<string> prompts, TaskDefinition task)
    {
        var options = new GenerationOptions { MaxNewTokens = MaxNewTokens, Temperature = 0, StopTokenIds = Tokenizer.EosIds };
        var results = new MultipleChoiceAnswer[prompts.Count];
        for (int start = 0; start < prompts.Count; start += BatchSize)
        {
            int end = Math.Min(prompts.Count, start + BatchSize);
            var batch = Enumerable.Range(start, end - start).Select(i => Tokenizer.Encode(prompts[i], addBos: true)).ToArray();
            IReadOnlyList<IReadOnlyList<int>> generated = _generator.Generate(batch, options);
            for (int i = start; i < end; i++)
            {
                IReadOnlyList<int> ids = generated[i - start];
                string text = Tokenizer.Decode(ids, skipSpecial: true);
                ExtractedAnswer answer = AnswerExtractor.Extract(text, task.AnswerLabels, ids.Count);
                var probabilities = new float[task.OptionCount];
                if (answer.Index >= 0)
                    probabilities[answer.Index] = 1f;
                else
                    Array.Fill(probabilities, 1f / task.OptionCount);
                results[i] = new MultipleChoiceAnswer(answer.Index, probabilities, text, ids.Count);
            }
        }
        return results;
    }

    private static MultipleChoiceAnswer FromLogLikelihoods(double[] logLikelihoods)
    {
        // Softmax over the options: the normalised probability the model gives each, among them.
        double max = logLikelihoods.Max();
        double[] exp = logLikelihoods.Select(v => Math.Exp(v - max)).ToArray();
        double sum = exp.Sum();
        float[] probabilities = exp.Select(v => (float)(v / sum)).ToArray();
        int best = Array.IndexOf(logLikelihoods, max);
        return new MultipleChoiceAnswer(best, probabilities);
    }

    private static IReadOnlyList<string> Options(IReadOnlyList<IReadOnlyList<string>>? optionTexts, int i, TaskDefinition task) =>
        optionTexts is not null
            ? optionTexts[i]
            : throw new ArgumentException($"Scoring task '{task.Name}' by option text needs the options' texts.");
}
