using Paft.MLNet.PromptGeneration;

namespace Paft.MLNet.Tests.PromptGeneration;

public sealed class ReplyCacheTests
{
    private static readonly Uri Endpoint = new("http://127.0.0.1:1/v1");

    [Fact]
    public void Every_ingredient_changes_the_key()
    {
        string baseKey = ReplyCache.Key("openai", Endpoint, "m", "prompt", 1.0f, 100, 5, 0);
        Assert.Equal(baseKey, ReplyCache.Key("openai", Endpoint, "m", "prompt", 1.0f, 100, 5, 0));
        string[] variants =
        [
            ReplyCache.Key("ollama", Endpoint, "m", "prompt", 1.0f, 100, 5, 0),
            ReplyCache.Key("openai", new Uri("http://127.0.0.1:2/v1"), "m", "prompt", 1.0f, 100, 5, 0),
            ReplyCache.Key("openai", Endpoint, "m2", "prompt", 1.0f, 100, 5, 0),
            ReplyCache.Key("openai", Endpoint, "m", "prompt!", 1.0f, 100, 5, 0),
            ReplyCache.Key("openai", Endpoint, "m", "prompt", 0.5f, 100, 5, 0),
            ReplyCache.Key("openai", Endpoint, "m", "prompt", 1.0f, 200, 5, 0),
            ReplyCache.Key("openai", Endpoint, "m", "prompt", 1.0f, 100, 6, 0),
            ReplyCache.Key("openai", Endpoint, "m", "prompt", 1.0f, 100, 5, 1),
        ];
        Assert.DoesNotContain(baseKey, variants);
        Assert.Equal(variants.Length, variants.Distinct().Count());
        Assert.Matches("^[0-9a-f]{64}$", baseKey);
    }

    [Fact]
    public void Writes_atomically_and_reads_back()
    {
        using var dir = new TempDirectory();
        var cache = new ReplyCache(Path.Combine(dir.Path, "nested"));
        string key = ReplyCache.Key("openai", Endpoint, "m", "p", null, null, null, 0);
        Assert.Null(cache.TryRead(key, out string? problem));
        Assert.Null(problem);

        cache.Write(key, "[\"{goal} \\u00e9\\n\"]");
        cache.Write(key, "second \"reply\"\nwith lines");   // overwrites in place
        Assert.Equal("second \"reply\"\nwith lines", cache.TryRead(key, out problem));
        Assert.Null(problem);
        Assert.Equal([cache.PathOf(key)], Directory.GetFiles(cache.Directory));
    }

    [Fact]
    public void A_damaged_entry_is_a_miss_whose_problem_names_the_file()
    {
        using var dir = new TempDirectory();
        var cache = new ReplyCache(dir.Path);
        string key = ReplyCache.Key("openai", Endpoint, "m", "p", null, null, null, 0);
        File.WriteAllText(cache.PathOf(key), "{ not json");
        Assert.Null(cache.TryRead(key, out string? problem));
        Assert.Contains(cache.PathOf(key), problem);

        File.WriteAllText(cache.PathOf(key), "{\"other\": 1}");
        Assert.Null(cache.TryRead(key, out problem));
        Assert.Contains("'reply'", problem);
    }
}
