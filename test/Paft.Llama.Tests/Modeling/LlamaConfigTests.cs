using Paft.Llama.Modeling;
using Paft.Tests.Common;

namespace Paft.Llama.Tests.Modeling;

public class LlamaConfigTests
{
    private const string Minimal =
        """{"model_type":"llama","vocab_size":10,"hidden_size":8,"intermediate_size":16,"num_hidden_layers":1,"num_attention_heads":2""";

    [SharedFact]
    public void ReadsLlama31StyleFixture()
    {
        var c = LlamaConfig.FromFile(SharedData.Path("fixtures", "llama", "tiny-llama3-bf16", "config.json"));
        Assert.Equal(320, c.VocabSize);
        Assert.Equal(48, c.HiddenSize);
        Assert.Equal(4, c.NumAttentionHeads);
        Assert.Equal(2, c.NumKeyValueHeads);
        Assert.Equal(16, c.HeadDim); // explicit head_dim wins over 48 / 4
        Assert.Equal(500000.0, c.RopeTheta);
        Assert.Equal(new RopeScaling(8, 1, 4, 8192), c.RopeScaling);
        Assert.True(c.TieWordEmbeddings);
        Assert.Equal(new[] { 2 }, c.EosTokenIds);
        Assert.Equal(1, c.BosTokenId);
        Assert.Equal("bfloat16", c.TorchDtype);
    }

    [Fact]
    public void DefaultsFollowTransformers()
    {
        var c = LlamaConfig.FromJson(Minimal + "}");
        Assert.Equal(2, c.NumKeyValueHeads); // defaults to the number of heads
        Assert.Equal(4, c.HeadDim);          // hidden / heads
        Assert.Null(c.RopeScaling);
        Assert.False(c.TieWordEmbeddings);
        Assert.Empty(c.EosTokenIds);
        Assert.Null(c.PadTokenId);
    }

    [Fact]
    public void EosMayBeAList()
    {
        var c = LlamaConfig.FromJson(Minimal + ""","eos_token_id":[128001,128008,128009],"pad_token_id":0}""");
        Assert.Equal(new[] { 128001, 128008, 128009 }, c.EosTokenIds);
        Assert.Equal(0, c.PadTokenId);
    }

    [Fact]
    public void OlderRopeScalingKeyTypeIsRead()
    {
        var c = LlamaConfig.FromJson(Minimal +
            ""","rope_scaling":{"type":"llama3","factor":32.0,"low_freq_factor":1.0,"high_freq_factor":4.0,"original_max_position_embeddings":8192}}""");
        Assert.Equal(32.0, c.RopeScaling!.Factor);
    }

    [Theory]
    [InlineData("linear")]
    [InlineData("dynamic")]
    [InlineData("yarn")]
    public void UnknownRopeScalingTypeIsAnError(string type)
    {
        var e = Assert.Throws<InvalidDataException>(() =>
            LlamaConfig.FromJson(Minimal + ",\"rope_scaling\":{\"rope_type\":\"" + type + "\",\"factor\":2.0}}", "/m/config.json"));
        Assert.Contains("'/m/config.json'", e.Message);
        Assert.Contains("'rope_scaling'", e.Message);
        Assert.Contains($"'{type}'", e.Message);
    }

    [Fact]
    public void Llama3ScalingWithoutItsFactorsNamesTheKey()
    {
        var e = Assert.Throws<InvalidDataException>(() =>
            LlamaConfig.FromJson(Minimal + ""","rope_scaling":{"rope_type":"llama3","factor":8.0}}"""));
        Assert.Contains("'rope_scaling.low_freq_factor' is missing", e.Message);
    }

    [Fact]
    public void UnknownModelTypeNamesTheFile()
    {
        using var tmp = new TempFolder();
        string path = tmp.File("config.json");
        File.WriteAllText(path, Minimal.Replace("\"llama\"", "\"mistral\"") + "}");
        var e = Assert.Throws<InvalidDataException>(() => LlamaConfig.FromFile(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("'model_type' is 'mistral'", e.Message);
    }

    [Fact]
    public void MissingKeyIsNamed()
    {
        var e = Assert.Throws<InvalidDataException>(() =>
            LlamaConfig.FromJson(Minimal.Replace("\"vocab_size\":10,", "") + "}", "cfg.json"));
        Assert.Equal("model config 'cfg.json': key 'vocab_size' is missing", e.Message);
    }

    [Fact]
    public void WrongTypeIsNamed()
    {
        var e = Assert.Throws<InvalidDataException>(() => LlamaConfig.FromJson(Minimal + ""","tie_word_embeddings":"yes"}"""));
        Assert.Contains("'tie_word_embeddings' must be true or false", e.Message);
    }

    [Fact]
    public void IndivisibleKvHeadsAreAnError()
    {
        var e = Assert.Throws<InvalidDataException>(() => LlamaConfig.FromJson(Minimal + ""","num_key_value_heads":3}"""));
        Assert.Contains("'num_key_value_heads'", e.Message);
    }

    [Fact]
    public void OtherActivationIsAnError()
    {
        var e = Assert.Throws<InvalidDataException>(() => LlamaConfig.FromJson(Minimal + ""","hidden_act":"gelu"}"""));
        Assert.Contains("'hidden_act' is 'gelu'", e.Message);
    }

    [Fact]
    public void MalformedJsonNamesTheSource()
    {
        var e = Assert.Throws<InvalidDataException>(() => LlamaConfig.FromJson("{\"model_type\":", "x/config.json"));
        Assert.Contains("'x/config.json' is not valid JSON", e.Message);
    }

    // Issue 13: each of these reached the model as a DivideByZeroException, NaN scores or a stack trace.
    [Theory]
    [InlineData(",\"num_attention_heads\":0}", "num_attention_heads", "must be positive, found 0")]
    [InlineData(",\"num_key_value_heads\":0}", "num_key_value_heads", "must be positive, found 0")]
    [InlineData(",\"num_key_value_heads\":-2}", "num_key_value_heads", "must be positive, found -2")]
    [InlineData(",\"rms_norm_eps\":-1e-5}", "rms_norm_eps", "must be a positive finite number")]
    [InlineData(",\"rms_norm_eps\":0}", "rms_norm_eps", "must be a positive finite number")]
    [InlineData(",\"rope_theta\":0}", "rope_theta", "must be a positive finite number")]
    [InlineData(",\"rope_theta\":-10000}", "rope_theta", "must be a positive finite number")]
    [InlineData(",\"max_position_embeddings\":0}", "max_position_embeddings", "must be positive")]
    [InlineData(",\"intermediate_size\":0}", "intermediate_size", "must be positive")]
    [InlineData(",\"rope_scaling\":{\"rope_type\":\"llama3\",\"factor\":0,\"low_freq_factor\":1,\"high_freq_factor\":4,\"original_max_position_embeddings\":8192}}",
        "rope_scaling.factor", "must be a positive finite number")]
    public void InsaneValueIsRefusedNamingFileAndKey(string tail, string key, string problem)
    {
        string withoutHeads = Minimal.Replace(",\"num_attention_heads\":2", "");
        string json = withoutHeads + (tail.Contains("num_attention_heads", StringComparison.Ordinal) ? tail : ",\"num_attention_heads\":2" + tail);
        var e = Assert.Throws<InvalidDataException>(() => LlamaConfig.FromJson(json, "/m/config.json"));
        Assert.StartsWith($"model config '/m/config.json': key '{key}' {problem}", e.Message);
    }

    [Theory]
    [InlineData("[1, 2, 3]", "Array")]
    [InlineData("\"llama\"", "String")]
    public void ConfigThatIsNotAnObjectIsRefusedInOneLine(string json, string kind)
    {
        var e = Assert.Throws<InvalidDataException>(() => LlamaConfig.FromJson(json, "/m/config.json"));
        Assert.Equal($"model config '/m/config.json' must be a JSON object, found {kind}", e.Message);
    }
}
