using System.Text.Json;
using Paft.Llama.Lora;
using Paft.Llama.Tests.Training;
using Paft.Tests.Common;

namespace Paft.Llama.Tests.Lora;

public class PeftAdapterConfigTests
{
    private static string Write(TempFolder dir, string json)
    {
        string path = Path.Combine(dir.Path, "adapter_config.json");
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public void WrittenConfigHasPeftsFieldsAndReadsBack()
    {
        using var dir = new TempFolder();
        var config = new LoraConfig { Rank = 4, Alpha = 12, Dropout = 0.05, TargetModules = ["q_proj", "k_proj", "v_proj"] };
        string path = Path.Combine(dir.Path, "adapter_config.json");
        AtomicFile.Write(path, System.Text.Encoding.UTF8.GetBytes(PeftAdapterConfig.ToJson(config, "my/base")));

        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        JsonElement root = doc.RootElement;
        Assert.Equal("LORA", root.GetProperty("peft_type").GetString());
        Assert.Equal("CAUSAL_LM", root.GetProperty("task_type").GetString());
        Assert.Equal("my/base", root.GetProperty("base_model_name_or_path").GetString());
        Assert.Equal(4, root.GetProperty("r").GetInt32());
        Assert.Equal(12.0, root.GetProperty("lora_alpha").GetDouble());
        Assert.Equal("none", root.GetProperty("bias").GetString());
        Assert.False(root.GetProperty("fan_in_fan_out").GetBoolean());
        Assert.False(root.GetProperty("use_rslora").GetBoolean());
        Assert.True(root.GetProperty("inference_mode").GetBoolean());
        Assert.Single(Directory.GetFiles(dir.Path)); // no temp file left behind

        LoraConfig back = PeftAdapterConfig.Read(path);
        Assert.Equal(4, back.Rank);
        Assert.Equal(12.0, back.Alpha);
        Assert.Equal(0.05, back.Dropout);
        Assert.Equal(new[] { "q_proj", "k_proj", "v_proj" }, back.TargetModules);
        Assert.Null(back.TargetModulesRegex);
        Assert.Equal(3.0, back.Scaling);
    }

    [SharedFact]
    public void ReadsTheSharedPeftConfig()
    {
        LoraConfig config = PeftAdapterConfig.Read(SharedData.Path("fixtures", "lora", "tiny-llama3-bf16-adapter", "adapter_config.json"));
        Assert.Equal(8, config.Rank);
        Assert.Equal(16.0, config.Alpha);
        Assert.Equal(new[] { "q_proj", "v_proj" }, config.TargetModules);
        Assert.Equal(2.0, config.Scaling);
    }

    [Fact]
    public void RegexTargetsAndRsLoraReadBack()
    {
        using var dir = new TempFolder();
        string path = Write(dir, """{"peft_type":"LORA","r":4,"lora_alpha":8,"target_modules":".*\\.(q|v)_proj","use_rslora":true}""");
        LoraConfig config = PeftAdapterConfig.Read(path);
        Assert.Equal(@".*\.(q|v)_proj", config.TargetModulesRegex);
        Assert.Equal(4.0, config.Scaling); // 8 / √4
        Assert.True(config.IsTarget("model.layers.3.self_attn.v_proj"));
    }

    [Theory]
    [InlineData("""{"peft_type":"IA3","r":4,"lora_alpha":8,"target_modules":["q_proj"]}""", "peft_type")]
    [InlineData("""{"peft_type":"LORA","lora_alpha":8,"target_modules":["q_proj"]}""", "'r'")]
    [InlineData("""{"peft_type":"LORA","r":4,"target_modules":["q_proj"]}""", "lora_alpha")]
    [InlineData("""{"peft_type":"LORA","r":4,"lora_alpha":8}""", "target_modules")]
    [InlineData("""{"peft_type":"LORA","r":4.5,"lora_alpha":8,"target_modules":["q_proj"]}""", "r must be")]
    [InlineData("""{"peft_type":"LORA","r":4,"lora_alpha":8,"target_modules":["q_proj"],"bias":"all"}""", "bias")]
    [InlineData("""{"peft_type":"LORA","r":4,"lora_alpha":8,"target_modules":["q_proj"],"fan_in_fan_out":true}""", "fan_in_fan_out")]
    [InlineData("""{"peft_type":"LORA","r":4,"lora_alpha":8,"target_modules":["q_proj"],"use_dora":true}""", "use_dora")]
    [InlineData("""{"peft_type":"LORA","r":4,"lora_alpha":8,"target_modules":["q_proj"],"rank_pattern":{"q_proj":2}}""", "rank_pattern")]
    [InlineData("""{"peft_type":"LORA","r":4,"lora_alpha":8,"target_modules":["q_proj"],"layers_to_transform":[0]}""", "layers_to_transform")]
    [InlineData("""{"peft_type":"LORA","r":4,"lora_alpha":8,"target_modules":[]}""", "target module")]
    [InlineData("""{"peft_type":"LORA", """, "not valid JSON")]
    public void BadConfigsFailNamingFileAndKey(string json, string expectedInMessage)
    {
        using var dir = new TempFolder();
        string path = Write(dir, json);
        var ex = Assert.Throws<InvalidDataException>(() => PeftAdapterConfig.Read(path));
        Assert.Contains(path, ex.Message);
        Assert.Contains(expectedInMessage, ex.Message);
    }
}
