using System.CommandLine;
using System.Globalization;
using System.Text;
using Paft.Cli.Terminal;
using Paft.MLNet.Connectors;
using Paft.MLNet.PromptGeneration;
using Paft.MLNet.Prompts;
using Paft.MLNet.Tasks;

namespace Paft.Cli.Commands;

/// <summary>
/// <c>paft prompts generate --task TASK --offline --count N [--seed S] --out FILE</c>: writes N templates
/// from the offline grammar. <c>--endpoint URL --model NAME [--api-key-env VAR] ...</c> (see
/// <see cref="PromptsGenerateLlmOptions"/>) asks one or several language models instead, keeps the
/// templates that pass <see cref="PromptTemplate.Check"/> for the task, and writes the first N of them.
/// </summary>
internal static class PromptsGenerateCommand
{
    public static Command Create()
    {
        Option<string> task = PromptsCommandOptions.Task(required: true);
        Option<bool> offline = new("--offline") { Description = "Compose templates from the built-in grammar; needs no model or network." };
        Option<int> count = new("--count") { Description = "How many templates to write.", Required = true };
        Option<int> seed = new("--seed") { Description = "Seed of the offline draw: the same seed writes the same templates.", DefaultValueFactory = _ => 0 };
        Option<string> output = new("--out") { Description = "The pool file to write (.jsonl, .csv or .xlsx).", Required = true };
        var llm = new PromptsGenerateLlmOptions();
        var command = new Command("generate", "Generate prompt templates for a task.")
        {
            task, offline, count, seed, output,
        };
        llm.AddTo(command);
        command.SetAction((parseResult, cancellationToken) => RunAsync(parseResult, cancellationToken, async (writer, token) =>
        {
            TaskDefinition definition = TaskDefinition.FromName(parseResult.GetValue(task)!);
            int n = parseResult.GetValue(count);
            string path = parseResult.GetValue(output)!;
            if (parseResult.GetValue(offline) == llm.IsRequested(parseResult))
                throw new ArgumentException("Choose one source: --offline, or --endpoint URL --model NAME.");
            if (n <= 0)
                throw new ArgumentException($"--count must be positive (got {n}).");
            if (llm.IsRequested(parseResult))
                return await GenerateOnline(parseResult, llm, definition, n, path, writer, parseResult.InvocationConfiguration.Error, token).ConfigureAwait(false);
            return GenerateOffline(definition, n, parseResult.GetValue(seed), path, writer);
        }));
        return command;
    }

    private static int GenerateOffline(TaskDefinition task, int count, int seed, string path, TextWriter output)
    {
        var generator = new OfflineTemplateGenerator(task);
        if (count > generator.Capacity)
            throw new ArgumentException($"--count {count} is more than the {generator.Capacity} distinct templates the offline grammar makes for '{task.Name}'.");
        PromptPool pool = generator.GeneratePool(count, seed);
        PromptPoolFiles.Save(pool, path);
        output.WriteLine($"Wrote {pool.Count} templates for task '{task.Name}' to {path} (offline grammar, seed {seed}).");
        return PromptsCommandOptions.Success;
    }

    /// <summary>
    /// Asks the LLMs named on the command line for templates, keeps those that parse and use exactly the
    /// task's fields (<see cref="PromptTemplate.Check"/>), and saves the first <paramref name="count"/> of
    /// them (client order, then request order) with ids <c>llm-&lt;client&gt;-&lt;n&gt;</c> and the client and
    /// request in each entry's metadata. Fewer than asked is a warning; none at all writes nothing and
    /// returns <see cref="PromptsCommandOptions.InvalidTemplates"/>.
    /// </summary>
    private static async Task<int> GenerateOnline(ParseResult parseResult, PromptsGenerateLlmOptions llm, TaskDefinition task, int count,
        string path, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        LlmGenerationResult result = await llm.RunAsync(parseResult, task, output, error, cancellationToken, ValidateTemplate).ConfigureAwait(false);
        if (result.Accepted.Count == 0)
        {
            error.WriteLine($"error: the LLMs returned no valid template for task '{task.Name}'; nothing was written to {path}.");
            return PromptsCommandOptions.InvalidTemplates;
        }
        PromptPool pool = ToPool(result.Accepted.Take(count));
        PromptPoolFiles.Save(pool, path);
        if (pool.Count < count)
            error.WriteLine($"warning: only {pool.Count} of the {count} templates asked for were generated; raise --requests or --per-request for more.");
        output.WriteLine($"Wrote {pool.Count} templates for task '{task.Name}' to {path} (LLM generation).");
        return PromptsCommandOptions.Success;
    }

    /// <summary>
    /// <see cref="PromptsCommandOptions.Run"/> for a body that awaits the network: bad input becomes one
    /// line on standard error and <see cref="PromptsCommandOptions.BadInput"/>.
    /// </summary>
    private static async Task<int> RunAsync(ParseResult parseResult, CancellationToken cancellationToken,
        Func<TextWriter, CancellationToken, Task<int>> body)
    {
        TextWriter error = parseResult.InvocationConfiguration.Error;
        // Ctrl+C cancels the request in flight (the client honours the token) and ends with a message, not in silence.
        using CancelKeyScope cancel = CancelKeyScope.Start(cancellationToken, error, "Interrupted: cancelling the LLM requests (press Ctrl+C again to abort at once)...");
        try
        {
            return await body(parseResult.InvocationConfiguration.Output, cancel.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancel.Token.IsCancellationRequested)
        {
            error.WriteLine("Interrupted; nothing was written.");
            return CommandExit.Interrupted;
        }
        catch (Exception e) when (CommandExit.IsBadInput(e))
        {
            return CommandExit.Report(e, error, verbose: false);
        }
    }

    /// <summary>The generator's validity check: the template parses and uses exactly the task's fields.</summary>
    internal static IReadOnlyList<string> ValidateTemplate(string templateText, TaskDefinition task) =>
        PromptTemplate.Check(templateText, "candidate", task, PromptTextEscaping.None).Select(p => p.Message).ToList();

    /// <summary>A pool of generated templates, numbered from 1 per client.</summary>
    internal static PromptPool ToPool(IEnumerable<GeneratedTemplate> templates)
    {
        var perClient = new Dictionary<string, int>(StringComparer.Ordinal);
        var entries = new List<PromptPoolEntry>();
        foreach (GeneratedTemplate generated in templates)
        {
            int n = perClient[generated.ClientName] = perClient.GetValueOrDefault(generated.ClientName) + 1;
            string id = string.Create(CultureInfo.InvariantCulture, $"llm-{IdPart(generated.ClientName)}-{n}");
            var metadata = new Dictionary<string, string>
            {
                ["source"] = "llm",
                ["client"] = generated.ClientName,
                ["request"] = generated.RequestIndex.ToString(CultureInfo.InvariantCulture),
            };
            entries.Add(new PromptPoolEntry(PromptTemplate.Parse(generated.Text, id), metadata));
        }
        return new PromptPool(entries);
    }

    /// <summary>A client name (e.g. <c>openai:gpt-4o@api.openai.com</c>) as a piece of an id: letters, digits, '.', '_' and '-' kept, anything else '-'.</summary>
    internal static string IdPart(string clientName)
    {
        var builder = new StringBuilder(clientName.Length);
        foreach (char c in clientName)
            builder.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '-');
        return builder.ToString();
    }
}
