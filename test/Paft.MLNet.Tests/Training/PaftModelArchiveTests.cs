using System.IO.Compression;
using Microsoft.ML;
using Microsoft.ML.Data;
using Paft.MLNet.Prompts;
using Paft.MLNet.Tasks;
using Paft.MLNet.Training;
using Paft.Tests.Common;

namespace Paft.MLNet.Tests.Training;

/// <summary>
/// One model file (<c>PaftTransformer.Save("model.zip")</c>): the same model as the folder format, refused when the base
/// changed (as the folder is), and refused naming the file and entry when the archive is damaged. On a tiny random
/// LLaMA with the real Llama 2 tokenizer (../shared/fixtures/llama/tiny-llama2-vocab32k).
/// </summary>
public sealed class PaftModelArchiveTests
{
    private static string ModelDir => SharedData.Path("fixtures", "llama", "tiny-llama2-vocab32k");

    private static readonly PromptTemplate[] Templates =
    [
        PromptTemplate.Parse("Goal: {goal}\nA. {sol1}\nB. {sol2}\nAnswer:", "inline"),
        PromptTemplate.Parse("{goal}\nOption A: {sol1}\nOption B: {sol2}\nThe answer is", "cue-last"),
    ];

    private static IDataView Rows(MLContext ml, int count) => ml.Data.LoadFromEnumerable(Enumerable.Range(0, count).Select(i => new PiqaRow
    {
        goal = $"keep item {i} dry",
        sol1 = i % 2 == 0 ? "put it in a sealed bag" : "leave it in the rain",
        sol2 = i % 2 == 0 ? "leave it in the rain" : "put it in a sealed bag",
        Label = i % 2,
    }));

    /// <summary>A PIQA row with the task's own column names.</summary>
    public sealed class PiqaRow
    {
        public string goal { get; set; } = "";
        public string sol1 { get; set; } = "";
        public string sol2 { get; set; } = "";
        public int Label { get; set; }
    }

    private static PaftTransformer Fit(MLContext ml, string modelPath, IDataView data) =>
        ml.Paft().Trainers.PromptAgnosticFineTuning(new PaftTrainerOptions
        {
            ModelPath = modelPath, Task = TaskDefinition.Piqa, TrainingTemplates = Templates,
            Epochs = 1, BatchSize = 4, LearningRate = 1e-2, Seed = 3, MaxLength = 128,
        }).Fit(data);

    private static float[][] Scores(PaftTransformer model, IDataView data) => model.Transform(data).GetColumn<float[]>("Score").ToArray();

    [SharedFact]
    public void A_zip_round_trip_predicts_exactly_as_the_folder_format()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = Rows(ml, 6);
        PaftTransformer paft = Fit(ml, ModelDir, data);
        using var temp = new TempFolder();
        string folder = Path.Combine(temp.Path, "paft"), zip = Path.Combine(temp.Path, "paft.zip");
        paft.Save(folder);
        paft.Save(zip);

        Assert.True(File.Exists(zip));
        using (ZipArchive archive = ZipFile.OpenRead(zip))
            Assert.Equal(["adapter_config.json", "adapter_model.safetensors", "paft_model.json"], archive.Entries.Select(e => e.FullName).Order());
        // Written atomically: nothing but the two saved models is left beside them.
        Assert.Equal(["paft", "paft.zip"], Directory.GetFileSystemEntries(temp.Path).Select(Path.GetFileName).Order());

        float[][] fromFolder = Scores(PaftTransformer.Load(ml, folder), data);
        PaftTransformer fromZip = PaftTransformer.Load(ml, zip);
        float[][] zipScores = Scores(fromZip, data);
        Assert.Equal(fromFolder.Length, zipScores.Length);
        for (int i = 0; i < fromFolder.Length; i++)
            Assert.Equal(fromFolder[i], zipScores[i]);
        Assert.Equal(Scores(paft, data).Select(s => s.ToArray()), zipScores);
        Assert.Equal(paft.InferenceTemplate.Text, fromZip.InferenceTemplate.Text);
        Assert.Equal(paft.TrainingInfo!.Steps, fromZip.TrainingInfo!.Steps);
        Assert.Equal(paft.BaseModelPath, fromZip.BaseModelPath);
    }

    [SharedFact]
    public void A_zip_whose_base_model_changed_is_refused_as_the_folder_is_and_a_damaged_one_names_file_and_entry()
    {
        var ml = new MLContext(seed: 1);
        using var temp = new TempFolder();
        string baseCopy = Path.Combine(temp.Path, "base");
        Directory.CreateDirectory(baseCopy);
        foreach (string file in Directory.GetFiles(ModelDir))
            File.Copy(file, Path.Combine(baseCopy, Path.GetFileName(file)));
        IDataView data = Rows(ml, 4);
        PaftTransformer paft = Fit(ml, baseCopy, data);
        string zip = Path.Combine(temp.Path, "model.zip");
        paft.Save(zip);

        // A truncated archive: its central directory is gone.
        byte[] bytes = File.ReadAllBytes(zip);
        string truncated = Path.Combine(temp.Path, "truncated.zip");
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        var cut = Assert.Throws<InvalidDataException>(() => PaftTransformer.Load(ml, truncated));
        Assert.Contains(truncated, cut.Message);

        // An archive whose manifest entry is not JSON.
        string malformed = Path.Combine(temp.Path, "malformed.zip");
        File.Copy(zip, malformed);
        using (ZipArchive archive = ZipFile.Open(malformed, ZipArchiveMode.Update))
        {
            archive.GetEntry("paft_model.json")!.Delete();
            using var writer = new StreamWriter(archive.CreateEntry("paft_model.json").Open());
            writer.Write("{ not json");
        }
        var bad = Assert.Throws<InvalidDataException>(() => PaftTransformer.Load(ml, malformed));
        Assert.Contains(malformed, bad.Message);
        Assert.Contains("paft_model.json", bad.Message);

        // An archive without its adapter weights.
        string incomplete = Path.Combine(temp.Path, "incomplete.zip");
        File.Copy(zip, incomplete);
        using (ZipArchive archive = ZipFile.Open(incomplete, ZipArchiveMode.Update))
            archive.GetEntry("adapter_model.safetensors")!.Delete();
        var missing = Assert.Throws<InvalidDataException>(() => PaftTransformer.Load(ml, incomplete));
        Assert.Contains(incomplete, missing.Message);
        Assert.Contains("adapter_model.safetensors", missing.Message);

        // The intact archive loads until the base changes; then it is refused naming the base, as the folder format is.
        Assert.NotNull(PaftTransformer.Load(ml, zip));
        File.AppendAllText(Path.Combine(baseCopy, "config.json"), "\n");
        var changed = Assert.Throws<InvalidDataException>(() => PaftTransformer.Load(ml, zip));
        Assert.Contains(baseCopy, changed.Message);
        Assert.Contains("changed", changed.Message);
        Assert.Contains(zip, changed.Message);
    }
}
