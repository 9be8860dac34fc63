namespace Paft.Demo;

/// <summary>
/// The closed world the embedded demo's stories are told in: people put objects into coloured
/// containers. The lists are short on purpose: the tokenizer, the model and the pretraining all stay
/// tiny, and nothing in a story needs knowledge from outside the story.
/// </summary>
internal static class DemoWorld
{
    public static readonly string[] Names =
    [
        "Mia", "Tom", "Ava", "Leo", "Zoe", "Max", "Ivy", "Sam", "Eli", "Nora",
        "Ben", "Lily", "Jack", "Emma", "Noah", "Ella", "Finn", "Ruby", "Owen", "Lucy",
    ];

    public static readonly string[] Objects =
    [
        "key", "apple", "coin", "ring", "book", "pen", "ball", "cup", "hat", "sock", "shell", "stone",
        "card", "toy", "spoon", "bell", "map", "lamp", "clock", "brush", "cake", "doll", "kite", "phone",
    ];

    public static readonly string[] Colors = ["red", "blue", "green", "yellow", "white", "black", "brown", "pink"];

    public static readonly string[] Containers = ["box", "bag", "basket", "drawer", "jar", "bowl", "chest", "crate"];

    /// <summary>Past-tense verbs of putting; all read "{name} {verb} the {object} in the {container}."</summary>
    public static readonly string[] Verbs = ["put", "placed", "left", "hid", "dropped", "kept"];
}
