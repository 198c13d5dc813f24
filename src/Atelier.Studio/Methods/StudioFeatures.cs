using Atelier.Networks;
using TorchSharp;

namespace Atelier.Studio.Methods;

/// <summary>
/// The perceptual networks the studio's methods use: the built-in ImageNet ResNet-18 by default, or the seeded
/// random-weight VGG-19 for comparison. Built once per choice, pooling and device, then shared: the methods optimise
/// the image, never the network, so concurrent jobs only read it.
/// </summary>
static class StudioFeatures
{
    static readonly Dictionary<(string, VggPooling, string), FeatureNetwork> Built = new();
    static readonly object Gate = new();

    public static FeatureNetwork Get(string choice, VggPooling pooling, TorchSharp.torch.Device device)
    {
        lock (Gate)
        {
            var key = (choice, pooling, device.ToString());
            if (!Built.TryGetValue(key, out var net))
            {
                net = FeatureNetworks.Load(choice, pooling);
                net.to(device);
                Built[key] = net;
            }
            return net;
        }
    }
}
