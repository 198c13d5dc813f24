using Atelier.Studio.Models;

namespace Atelier.Studio.Methods;

/// <summary>The StyleGAN2 generators the panels take, and what to say when there is none.</summary>
static class StyleGanModels
{
    public const string Needs = "StyleGAN needs a StyleGAN2 generator: train a small one with `atelier data shapes -o shapes` then " +
        "`atelier stylegan train --data shapes --size 32 -o run` (run/checkpoint.safetensors loads here), or put a rosinality/stylegan2-pytorch " +
        "checkpoint (.pt with g_ema, e.g. stylegan2-ffhq-config-f.pt) or an NVlabs stylegan2-ada-pytorch .pkl (e.g. ffhq.pkl) in the models folder (atelier studio --models DIR).";

    public static (ModelInfo Info, string Path) Resolve(MethodRequest r) => r.Models.Resolve(r.Fields.String("model"), "model", Atelier.StyleGan.StyleGanMethods.Generators);

    /// <summary>The w+ length of the file's generator (2 log2 size - 2), from the recogniser's parameters; 0 when unknown.</summary>
    public static int NLatent(ModelInfo info) =>
        info.Recognized.Parameters.TryGetValue("size", out var s) && Convert.ToInt64(s) is >= 8 and var size
            ? 2 * System.Numerics.BitOperations.Log2((ulong)size) - 2 : 0;
}
