using Atelier.Imaging;

namespace Atelier.Methods;

/// <summary>A picture and how much it counts among several (a style in a blend of styles).</summary>
public sealed record WeightedImage(Image Image, double Weight = 1.0);
