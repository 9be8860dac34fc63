using System.Text.Json;
using Paft.Cli.Tests.Prompts;
using Paft.Llama.Inference;
using Paft.Llama.Modeling;
using Paft.Llama.Tokenization;
using Paft.Tests.Common;

namespace Paft.Cli.Tests.Generate;

public sealed class GenerateCommandTests
{
    private static string Stories260K => SharedData.Path("fixtures", "llama", "stories260K");

    [SharedFact]
    public void Greedy_ids_of_stories260K_equal_llama2c_reference()
    {
        using JsonDocument expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(Stories260K, "expected.json")));
        string promptIds = string.Join(' ', expected.RootElement.GetProperty("prompt_ids").EnumerateArray().Select(e => e.GetInt32()));
        int[] greedy = expected.RootElement.GetProperty("greedy_ids").EnumerateArray().Select(e => e.GetInt32()).ToArray();

        CliRunner.Result result = CliRunner.Run("generate", "--model", Stories260K, "--prompt-ids", promptIds,
            "--max-new-tokens", greedy.Length.ToString(), "--temperature", "0", "--print-ids");

        Assert.Equal("", result.Error);
        Assert.Equal(0, result.ExitCode);
        // Exactly one line on stdout: the ids and nothing else.
        Assert.Equal(string.Join(' ', greedy) + Environment.NewLine, result.Output);
    }

    [SharedFact]
    public void Sampling_is_reproducible_by_seed_and_differs_between_seeds()
    {
        string[] Run(string seed) => CliRunner.Run("generate", "--model", Stories260K, "--prompt-ids", "1", "--max-new-tokens", "24",
            "--temperature", "1", "--top-p", "0.9", "--seed", seed, "--print-ids").Output.Split(' ', StringSplitOptions.TrimEntries);

        string[] first = Run("7");
        Assert.Equal(24, first.Length);
        Assert.Equal(first, Run("7"));
        Assert.NotEqual(first, Run("8"));
    }

    [SharedFact]
    public void Text_prompt_is_encoded_with_bos_and_the_continuation_decoded()
    {
        string model = SharedData.Path("fixtures", "llama", "tiny-llama2-vocab32k");
        CliRunner.Result ids = CliRunner.Run("generate", "--model", model, "--prompt", "Hello world", "--max-new-tokens", "6", "--temperature", "0", "--print-ids");
        CliRunner.Result text = CliRunner.Run("generate", "--model", model, "--prompt", "Hello world", "--max-new-tokens", "6", "--temperature", "0");
        Assert.Equal((0, 0), (ids.ExitCode, text.ExitCode));

        // The same continuation through the library: BOS + the tokenizer's ids, greedy, stopping at EOS.
        ILlamaTokenizer tokenizer = TokenizerLoader.Load(model);
        using LlamaForCausalLM llama = LlamaForCausalLM.FromPretrained(model);
        IReadOnlyList<int> prompt = tokenizer.Encode("Hello world", addBos: true);
        Assert.Equal(tokenizer.BosId, prompt[0]);
        IReadOnlyList<int> expected = new LlamaGenerator(llama).Generate(prompt,
            new GenerationOptions { MaxNewTokens = 6, StopTokenIds = tokenizer.EosIds });

        Assert.Equal(string.Join(' ', expected), ids.Output.Trim());
        // The printed text is what the new ids add to the prompt's text (decoding them alone could drop a leading space).
        Assert.Equal("Hello world", tokenizer.Decode(prompt, skipSpecial: true));
        string whole = tokenizer.Decode(prompt.Concat(expected), skipSpecial: true);
        Assert.StartsWith("Hello world", whole);
        Assert.Equal(whole["Hello world".Length..] + Environment.NewLine, text.Output);
    }

    public static TheoryData<string[], string> BadInputs()
    {
        string missing = Path.Combine(Path.GetTempPath(), "paft-no-such-model-" + Guid.NewGuid().ToString("N"));
        var data = new TheoryData<string[], string>
        {
            { ["--model", missing, "--prompt-ids", "1", "--max-new-tokens", "2"], $"model folder '{missing}' does not exist" },
        };
        if (!SharedData.Available)
            return data;
        string stories = Stories260K;
        data.Add(["--model", stories, "--prompt-ids", "1 two 3", "--max-new-tokens", "2", "--print-ids"], "--prompt-ids: 'two' (value 2) is not a token id");
        data.Add(["--model", stories, "--prompt-ids", "1 -5", "--max-new-tokens", "2", "--print-ids"], "'-5' (value 2) is not a token id");
        data.Add(["--model", stories, "--prompt-ids", "1 512", "--max-new-tokens", "2", "--print-ids"], "token id 512 (value 2) is outside the model's vocabulary of 512");
        data.Add(["--model", stories, "--prompt-ids", "  ", "--max-new-tokens", "2", "--print-ids"], "--prompt-ids: no token ids");
        data.Add(["--model", stories, "--prompt", "Once upon a time", "--max-new-tokens", "2"], "--prompt needs a tokenizer: No tokenizer found in");
        // Llama 2's 32000-piece tokenizer on a 512-token model.
        data.Add(["--model", stories, "--prompt", "Once upon a time", "--tokenizer", SharedData.Path("fixtures", "tokenizers", "llama2-sentencepiece", "tokenizer.model"), "--max-new-tokens", "2"],
            "outside the model's vocabulary of 512: it is not this model's tokenizer");
        data.Add(["--model", stories, "--prompt-ids", "1", "--max-new-tokens", "2"], "printing text needs a tokenizer");
        data.Add(["--model", stories, "--prompt", "x", "--tokenizer", Path.Combine(stories, "no-such-tokenizer.model"), "--max-new-tokens", "2"], "no-such-tokenizer.model' does not exist");
        data.Add(["--model", stories, "--prompt", "x", "--prompt-ids", "1", "--max-new-tokens", "2"], "Give the prompt once");
        data.Add(["--model", stories, "--max-new-tokens", "2"], "Give the prompt once");
        data.Add(["--model", stories, "--prompt-ids", "1", "--max-new-tokens", "-1", "--print-ids"], "--max-new-tokens must be zero or more (got -1)");
        data.Add(["--model", stories, "--prompt-ids", "1", "--max-new-tokens", "2", "--top-p", "0", "--print-ids"], "--top-p must be in (0, 1]");
        data.Add(["--model", stories, "--prompt-ids", "1", "--max-new-tokens", "2", "--temperature", "-0.5", "--print-ids"], "--temperature must be zero (greedy) or positive");
        data.Add(["--model", stories, "--prompt-ids", "1", "--max-new-tokens", "2", "--adapter", missing, "--print-ids"], $"adapter folder '{missing}' does not exist");
        return data;
    }

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void Bad_input_is_one_line_on_stderr_with_exit_code_2(string[] args, string message)
    {
        CliRunner.Result result = CliRunner.Run(["generate", .. args]);
        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.Output);
        Assert.StartsWith("error: ", result.Error);
        Assert.Contains(message, result.Error);
        Assert.Single(result.Error.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }
}
