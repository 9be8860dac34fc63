using System.CommandLine;
using Paft.Llama.Inference;
using Paft.Llama.Modeling;
using Paft.Llama.Tokenization;

namespace Paft.Cli.Commands;

/// <summary>
/// <c>paft generate --model DIR [--tokenizer FILE] (--prompt TEXT | --prompt-ids "1 2 3") --max-new-tokens N
/// [--temperature T] [--top-p P] [--seed S] [--print-ids] [--adapter DIR] [--dtype fp32|bf16]</c>: continues
/// a prompt with the model and prints the decoded continuation, or with <c>--print-ids</c> only the new
/// ids, space-separated on one line. Generation stops early at one of the model's end-of-sequence ids.
/// <c>--tokenizer</c> also takes llama2.c's <c>tokenizer.bin</c>/<c>tok512.bin</c> (see <see cref="Llama2cTokenizer"/>).
/// </summary>
internal static class GenerateCommand
{
    public static Command Create()
    {
        Option<string> model = ModelCommandOptions.Model();
        Option<string?> tokenizer = new("--tokenizer")
        {
            Description = "The tokenizer file, when it is not in the model folder under a standard name (tokenizer.model, original/tokenizer.model, tokenizer.json); a .bin file is read as llama2.c's tokenizer.",
        };
        Option<string?> prompt = new("--prompt") { Description = "The prompt text; it is tokenized with BOS first." };
        Option<string?> promptIds = new("--prompt-ids") { Description = "The prompt as token ids separated by spaces, used as given (include BOS if the model expects it)." };
        Option<int> maxNewTokens = new("--max-new-tokens") { Description = "The most tokens to generate.", Required = true };
        Option<double> temperature = new("--temperature")
        {
            Description = "Softmax temperature; 0 is greedy decoding.",
            DefaultValueFactory = _ => 1.0,
        };
        Option<double> topP = new("--top-p")
        {
            Description = "Nucleus sampling: sample among the most likely tokens whose probabilities sum to P (1 keeps all).",
            DefaultValueFactory = _ => 1.0,
        };
        Option<ulong> seed = new("--seed") { Description = "Seed of the sampler: the same seed gives the same tokens.", DefaultValueFactory = _ => 0UL };
        Option<bool> printIds = new("--print-ids") { Description = "Print the generated ids, space-separated on one line, instead of text." };
        Option<string?> adapter = ModelCommandOptions.Adapter();
        Option<string> dtype = ModelCommandOptions.DType("Compute dtype: fp32 (default) or bf16.");
        var command = new Command("generate", "Continue a prompt with a model and print the continuation.")
        {
            model, tokenizer, prompt, promptIds, maxNewTokens, temperature, topP, seed, printIds, adapter, dtype,
        };
        command.SetAction(parseResult => ModelCommandOptions.Run(parseResult, output =>
        {
            string? text = parseResult.GetValue(prompt);
            string? idsText = parseResult.GetValue(promptIds);
            if ((text is null) == (idsText is null))
                throw new ArgumentException("Give the prompt once: --prompt TEXT or --prompt-ids \"1 2 3\".");
            var options = new GenerationOptions
            {
                MaxNewTokens = parseResult.GetValue(maxNewTokens),
                Temperature = parseResult.GetValue(temperature),
                TopP = parseResult.GetValue(topP),
                Seed = parseResult.GetValue(seed),
            };
            CheckOptions(options);

            string modelDir = parseResult.GetValue(model)!;
            string? tokenizerFile = parseResult.GetValue(tokenizer) is string file ? Path.GetFullPath(file) : null;
            bool ids = parseResult.GetValue(printIds);
            if (!Directory.Exists(modelDir))
                throw new DirectoryNotFoundException($"model folder '{modelDir}' does not exist.");
            // The tokenizer is needed to read --prompt or to print text; load it (and fail) before the model.
            ILlamaTokenizer? textTokenizer = text is not null || !ids ? LoadTokenizer(modelDir, tokenizerFile, text is not null) : null;

            using LlamaForCausalLM llama = ModelCommandOptions.Load(modelDir, ModelCommandOptions.ToScalarType(parseResult.GetValue(dtype)!), parseResult.GetValue(adapter));
            int[] promptTokens = text is not null
                ? [.. textTokenizer!.Encode(text, addBos: true)]
                : ModelCommandOptions.ParseIds(idsText!, llama.Config.VocabSize, "--prompt-ids");
            if (promptTokens.FirstOrDefault(id => id >= llama.Config.VocabSize, -1) is int outside and >= 0)
                throw new InvalidDataException($"the tokenizer gives id {outside} for --prompt, outside the model's vocabulary of {llama.Config.VocabSize}: it is not this model's tokenizer.");
            IReadOnlyList<int> stop = textTokenizer?.EosIds ?? llama.Config.EosTokenIds;
            IReadOnlyList<int> generated = new LlamaGenerator(llama).Generate(promptTokens, options with { StopTokenIds = stop });

            if (ids)
                output.WriteLine(string.Join(' ', generated));
            else
                output.WriteLine(Continuation(textTokenizer!, promptTokens, generated));
            return ModelCommandOptions.Success;
        }));
        return command;
    }

    private static ILlamaTokenizer LoadTokenizer(string modelDir, string? tokenizerFile, bool forPrompt)
    {
        try
        {
            return TokenizerLoader.Load(modelDir, tokenizerFile);
        }
        catch (FileNotFoundException e) when (tokenizerFile is null)
        {
            string need = forPrompt ? "--prompt needs a tokenizer" : "printing text needs a tokenizer";
            throw new FileNotFoundException($"{need}: {e.Message.TrimEnd('.')}; give --tokenizer FILE{(forPrompt ? " or use --prompt-ids" : " or use --print-ids")}.", e);
        }
    }

    /// <summary>
    /// The text the generated ids add to the prompt. Decoding them alone would be wrong at the seam:
    /// SentencePiece drops the leading space of the first piece, and llama2.c that of a piece after BOS.
    /// </summary>
    internal static string Continuation(ILlamaTokenizer tokenizer, IReadOnlyList<int> prompt, IReadOnlyList<int> generated)
    {
        string head = tokenizer.Decode(prompt, skipSpecial: true);
        string whole = tokenizer.Decode(prompt.Concat(generated), skipSpecial: true);
        return whole.StartsWith(head, StringComparison.Ordinal) ? whole[head.Length..] : tokenizer.Decode(generated, skipSpecial: true);
    }

    private static void CheckOptions(GenerationOptions options)
    {
        if (options.MaxNewTokens < 0)
            throw new ArgumentException($"--max-new-tokens must be zero or more (got {options.MaxNewTokens}).");
        if (!(options.Temperature >= 0))
            throw new ArgumentException($"--temperature must be zero (greedy) or positive (got {options.Temperature}).");
        if (!(options.TopP > 0 && options.TopP <= 1))
            throw new ArgumentException($"--top-p must be in (0, 1] (got {options.TopP}).");
    }
}
