// Native-loading smoke test (issue 13, item 7): the packed Paft.MLNet, referenced as any F# interactive user
// does (`#r "nuget: ..."`, TorchSharp's fallback loader territory), makes a tiny random LLaMA with a word-level
// tokenizer, loads it through mlContext.Paft() and scores one PIQA-style prompt. Run by build/fsi-smoke.sh,
// which packs the library into a local feed and passes its folder and version in PAFT_FEED / PAFT_VERSION.
#i "nuget: __PAFT_FEED__"
#r "nuget: Paft.MLNet, __PAFT_VERSION__"

open System
open System.Collections.Generic
open System.IO
open System.Text
open Microsoft.ML
open Microsoft.ML.Data
open Paft.Llama.Modeling
open Paft.Llama.Tokenization
open Paft.MLNet
open Paft.MLNet.Prompts
open Paft.MLNet.Tasks
open Paft.MLNet.Tasks.Readers
open Paft.MLNet.Training

let folder = Path.Combine(Path.GetTempPath(), sprintf "paft-fsi-smoke-%d" Environment.ProcessId)
Directory.CreateDirectory folder |> ignore

let template = PromptTemplate.Parse("Goal: {goal}\nA. {sol1}\nB. {sol2}\nAnswer:", "smoke")
let fields = readOnlyDict [ "goal", "keep the bread fresh"; "sol1", "seal it in a bag"; "sol2", "leave it in the sun" ]

// A tiny random model in Hugging Face layout: config.json, model.safetensors (written by hand: an 8-byte
// header length, a JSON header, then the raw float32 data), and Paft's word-level tokenizer file.
let tokenizer = WordLevelTokenizer.FromTexts(Seq.append fields.Values [ template.Text; "A"; "B" ])
let config =
    sprintf """{"model_type":"llama","vocab_size":%d,"hidden_size":32,"intermediate_size":64,"num_hidden_layers":2,"num_attention_heads":4,"num_key_value_heads":2,"rms_norm_eps":1e-5,"tie_word_embeddings":false,"bos_token_id":1,"eos_token_id":2}"""
        tokenizer.VocabSize
File.WriteAllText(Path.Combine(folder, "config.json"), config)
tokenizer.Save(Path.Combine(folder, WordLevelTokenizer.FileName))
do
    use model = new LlamaForCausalLM(LlamaConfig.FromJson config)
    model.InitializeWeights(7UL, 0.3)
    let tensors = [ for struct (name, p) in model.named_parameters() -> name, p.detach().contiguous().data<float32>().ToArray(), p.shape ]
    let header = StringBuilder("{")
    let mutable offset = 0L
    for i, (name, values, shape) in List.indexed tensors do
        let bytes = int64 values.Length * 4L
        if i > 0 then header.Append(',') |> ignore
        header.AppendFormat("\"{0}\":{{\"dtype\":\"F32\",\"shape\":[{1}],\"data_offsets\":[{2},{3}]}}", name, String.Join(",", shape), offset, offset + bytes) |> ignore
        offset <- offset + bytes
    let headerBytes = Encoding.UTF8.GetBytes(header.Append('}').ToString())
    use file = File.Create(Path.Combine(folder, "model.safetensors"))
    let write (bytes: byte[]) = file.Write(bytes, 0, bytes.Length)
    write (BitConverter.GetBytes(int64 headerBytes.Length))
    write headerBytes
    for _, values, _ in tensors do
        let bytes = Array.zeroCreate<byte> (values.Length * 4)
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length)
        write bytes

// Load it through the ML.NET surface and score one prompt.
let ml = MLContext(seed = 0)
let options = PaftTrainerOptions(ModelPath = folder, Task = TaskDefinition.Piqa, TrainingTemplates = [| template |], MaxLength = 64)
let rows = [ TaskExample(fields, 0) ].ToDataView(TaskDefinition.Piqa)
use model = ml.Paft().Trainers.BaseModel(options).Fit(rows)
let score = model.Transform(rows).GetColumn<float32[]>("Score") |> Seq.exactlyOne
Directory.Delete(folder, true)
if score.Length <> 2 || abs (Array.sum score - 1.0f) > 1e-4f then
    failwithf "unexpected scores %A" score
printfn "fsi-smoke: scored a prompt with the packed Paft.MLNet: A %.4f, B %.4f" score.[0] score.[1]
