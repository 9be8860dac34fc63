using Paft.Llama.Tokenization;
using Paft.MLNet.Prompts;
using Paft.MLNet.Tasks;

namespace Paft.MLNet.Training;

/// <summary>
/// Renders a template so that prompt and answer fit in a token budget. The rule: when too long, words are
/// cut from the END of the longest context field (article, ctx, goal, ...), and from the next longest if
/// that is not enough; the template's own text, the options and the answer cue are never cut, so the
/// model always sees the whole question format. If even empty context fields do not fit, the row fails
/// with an error naming it and the template.
/// </summary>
internal sealed class PromptFitter
{
    private readonly ILlamaTokenizer _tokenizer;
    private readonly TaskDefinition _task;

    public PromptFitter(ILlamaTokenizer tokenizer, TaskDefinition task, int maxTokens)
    {
        _tokenizer = tokenizer;
        _task = task;
        MaxTokens = maxTokens;
    }

    /// <summary>The budget for the prompt, BOS included (the answer's tokens are reserved by the caller).</summary>
    public int MaxTokens { get; }

    /// <summary>Number of rows whose context had to be cut so far.</summary>
    public int TruncatedRows { get; private set; }

    public string Render(PromptTemplate template, TaskExample example, int reservedTokens) =>
        Fit(template.Render(example.Fields), template, example, reservedTokens);

    /// <summary>
    /// <paramref name="rendered"/> (the template already rendered with the row's fields) when it fits;
    /// otherwise the template rendered again with its context fields cut.
    /// </summary>
    public string Fit(string rendered, PromptTemplate template, TaskExample example, int reservedTokens)
    {
        int budget = MaxTokens - reservedTokens;
        string prompt = rendered;
        if (Count(prompt) <= budget)
            return prompt;

        var fields = new Dictionary<string, string>(example.Fields);
        foreach (string field in _task.ContextFields.Where(template.Placeholders.Contains).OrderByDescending(f => fields[f].Length))
        {
            string[] words = fields[field].Split(' ');
            // Largest number of leading words that fits: binary search over the word count.
            int lo = 0, hi = words.Length - 1;
            while (lo < hi)
            {
                int mid = (lo + hi + 1) / 2;
                fields[field] = string.Join(' ', words, 0, mid);
                if (Count(template.Render(fields)) <= budget) lo = mid; else hi = mid - 1;
            }
            fields[field] = string.Join(' ', words, 0, lo);
            prompt = template.Render(fields);
            if (Count(prompt) <= budget)
            {
                TruncatedRows++;
                return prompt;
            }
        }
        throw new PromptTooLongException(
            $"Row {Describe(example)} rendered with template '{template.Id}' needs {Count(prompt)} tokens without any context, " +
            $"more than the {budget} allowed (MaxLength {MaxTokens} minus {reservedTokens} for the answer). " +
            "Raise MaxLength or use a shorter template.");
    }

    private int Count(string prompt) => _tokenizer.Encode(prompt, addBos: true).Count;

    private static string Describe(TaskExample example) =>
        string.IsNullOrEmpty(example.Source) ? "(no source)" : example.Source;
}
