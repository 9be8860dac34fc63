using Paft.MLNet.Evaluation;

namespace Paft.MLNet.Tests.Evaluation;

/// <summary>
/// The extractor against the upstream function itself: every string of the corpus, whose letters
/// make_corpus.py got by running OpenCompass's <c>first_option_postprocess</c> @ 98242ff1, cushion on and off.
/// </summary>
public sealed class AnswerExtractorCorpusTests
{
    private static readonly IReadOnlyList<OpenCompassCorpusEntry> Corpus = OpenCompassCorpus.Read();

    [Fact]
    public void Corpus_covers_every_kind_of_string_and_both_task_sizes()
    {
        Assert.True(Corpus.Count >= 1000, $"{Corpus.Count} strings");
        foreach (string kind in new[] { "realistic", "targeted", "whitespace", "unicode", "fuzz" })
            Assert.Contains(Corpus, e => e.Kind == kind);
        Assert.Contains(Corpus, e => e.Kind == "realistic" && e.Options == "AB");
        Assert.Contains(Corpus, e => e.Kind == "realistic" && e.Options == "ABCD");
        // The cushion matters to the corpus: a corpus where it never changed the answer would not test it.
        Assert.Contains(Corpus, e => e.Expected != e.ExpectedNoCushion);
        Assert.Contains(Corpus, e => e.Expected is null);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Every_corpus_string_gives_the_upstream_letter(bool cushion)
    {
        var disagreements = new List<string>();
        foreach (OpenCompassCorpusEntry entry in Corpus)
        {
            string? expected = cushion ? entry.Expected : entry.ExpectedNoCushion;
            string? actual = AnswerExtractor.FirstOption(entry.Text, entry.Options, cushion);
            if (actual != expected)
                disagreements.Add(OpenCompassCorpus.Describe(entry, actual, expected));
        }
        Assert.True(disagreements.Count == 0,
            $"{disagreements.Count} of {Corpus.Count} disagree with upstream (cushion {(cushion ? "on" : "off")}):\n" +
            string.Join("\n", disagreements.Take(20)));
    }
}
