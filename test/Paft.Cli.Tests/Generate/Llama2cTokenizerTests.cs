using System.Text.Json;
using Paft.Llama.Tokenization;
using Paft.Cli.Tests.Prompts;


namespace Paft.Cli.Tests.Generate;

/// <summary>
/// llama2.c's tokenizer against what run.c did on stories260K (expected.json: the ids it generated from BOS
/// and the text it printed). run.c's own encode of that text gives back exactly BOS + those ids
/// (checked with run.c at karpathy/llama2.c@350e04fe), so the text → ids direction is pinned as well.
/// </summary>
public sealed class Llama2cTokenizerTests
{
    private static string Stories260K => SharedData.Path("fixtures", "llama", "stories260K");
    private static string Tok512 => Path.Combine(Stories260K, "tok512.bin");

    private static (int[] Ids, string Text) Reference()
    {
        using JsonDocument expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(Stories260K, "expected.json")));
        return (expected.RootElement.GetProperty("greedy_ids").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
            expected.RootElement.GetProperty("greedy_text").GetString()!);
    }

    [SharedFact]
    public void Encodes_and_decodes_run_c_s_story()
    {
        (int[] ids, string text) = Reference();
        Llama2cTokenizer tokenizer = Llama2cTokenizer.Load(Tok512);

        Assert.Equal(512, tokenizer.VocabSize);
        Assert.Equal([1, .. ids], tokenizer.Encode(text, addBos: true));
        Assert.Equal(text, tokenizer.Decode([1, .. ids], skipSpecial: true));
        Assert.Equal(ids, tokenizer.Encode(text));
    }

    [SharedFact]
    public void Generate_prints_run_c_s_text_and_continues_a_text_prompt_like_run_c()
    {
        (int[] ids, string text) = Reference();

        CliRunner.Result story = CliRunner.Run("generate", "--model", Stories260K, "--tokenizer", Tok512, "--prompt-ids", "1",
            "--max-new-tokens", ids.Length.ToString(), "--temperature", "0");
        Assert.Equal((0, ""), (story.ExitCode, story.Error));
        Assert.Equal(text + Environment.NewLine, story.Output);

        // "Once upon a time" is how the story starts, so its greedy continuation is the story's next ids.
        const string prompt = "Once upon a time";
        Assert.StartsWith(prompt, text);
        Llama2cTokenizer tokenizer = Llama2cTokenizer.Load(Tok512);
        int k = tokenizer.Encode(prompt).Count;
        Assert.Equal(ids[..k], tokenizer.Encode(prompt));

        CliRunner.Result continued = CliRunner.Run("generate", "--model", Stories260K, "--tokenizer", Tok512, "--prompt", prompt,
            "--max-new-tokens", "30", "--temperature", "0", "--print-ids");
        Assert.Equal(string.Join(' ', ids[k..(k + 30)]), continued.Output.Trim());
        CliRunner.Result continuedText = CliRunner.Run("generate", "--model", Stories260K, "--tokenizer", Tok512, "--prompt", prompt,
            "--max-new-tokens", "30", "--temperature", "0");
        Assert.Equal(tokenizer.Decode([1, .. ids[..(k + 30)]], skipSpecial: true)[prompt.Length..], continuedText.Output.TrimEnd('\n', '\r'));
    }

    [Fact]
    public void Byte_fallback_and_merges_follow_run_c_on_a_hand_made_vocabulary()
    {
        // <unk>, BOS, EOS, 256 byte tokens, then " ", "a", "b", "ab" (score -1), " a" (score -2), " ab" (score -0.5).
        var pieces = new List<(string Piece, float Score)> { ("<unk>", 0), ("\n<s>\n", 0), ("\n</s>\n", 0) };
        for (int b = 0; b < 256; b++) pieces.Add(($"<0x{b:X2}>", 0));
        pieces.AddRange([(" ", -10), ("a", -10), ("b", -10), ("ab", -1), (" a", -2), (" ab", -0.5f)]);
        string path = Path.Combine(Path.GetTempPath(), "paft-llama2c-" + Guid.NewGuid().ToString("N") + ".bin");
        using (var writer = new BinaryWriter(File.Create(path)))
        {
            writer.Write(8);
            foreach ((string piece, float score) in pieces)
            {
                byte[] bytes = System.Text.Encoding.UTF8.GetBytes(piece);
                writer.Write(score);
                writer.Write(bytes.Length);
                writer.Write(bytes);
            }
        }
        try
        {
            Llama2cTokenizer tokenizer = Llama2cTokenizer.Load(path);
            int space = 259, a = 260, b = 261, ab = 262, spaceA = 263, spaceAb = 264;
            // " " a b: "ab" (-1) beats " a" (-2); then " " + "ab" = " ab". A "é" is not in the vocabulary: its two UTF-8 bytes + 3.
            Assert.Equal([1, spaceAb, 0xC3 + 3, 0xA9 + 3], tokenizer.Encode("abé", addBos: true));
            Assert.Equal([spaceAb, b], tokenizer.Encode("abb"));
            // " " b a: neither " b" nor "ba" is in the vocabulary, so nothing merges.
            Assert.Equal([space, b, a], tokenizer.Encode("ba"));
            // Without the space prefix "ab" would stay; with it, "ab" then " ab".
            Assert.Equal([spaceAb], tokenizer.Encode("ab"));
            Assert.NotEqual(ab, spaceAb);
            Assert.Empty(tokenizer.Encode(""));
            // After BOS a piece loses its leading space; byte tokens join into UTF-8.
            Assert.Equal("abé", tokenizer.Decode([1, spaceAb, 0xC3 + 3, 0xA9 + 3], skipSpecial: true));
            Assert.Equal(" ab", tokenizer.Decode([spaceAb]));
            Assert.Equal("a a", tokenizer.Decode([1, spaceA, spaceA], skipSpecial: true));

            File.WriteAllBytes(path, File.ReadAllBytes(path)[..^3]);
            Assert.Contains($"'{path}': token {pieces.Count - 1} has length 3", Assert.Throws<InvalidDataException>(() => Llama2cTokenizer.Load(path)).Message);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
