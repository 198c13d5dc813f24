using Atelier.Checkpoints;
using static TorchSharp.torch;

namespace Atelier.Networks;

// Loading a VGG from a weights file (.pth / .pt / .safetensors).
public sealed partial class Vgg
{
    /// <summary>
    /// Loads torchvision's vgg19/vgg16 weights (e.g. vgg19-dcbb9e9d.pth) or a normalised VGG (AdaIN/WCT
    /// vgg_normalised.pth, possibly cut at relu4_1); the layout is detected from the keys, and a file of neither
    /// layout is refused with a message listing what it holds.
    /// </summary>
    public static Vgg Load(string path, VggPooling pooling = VggPooling.Max)
    {
        var stateDict = Checkpoint.LoadStateDict(path);
        try { return FromStateDict(stateDict, pooling, path); }
        finally { foreach (var t in stateDict.Values) t.Dispose(); }
    }
}
