namespace Atelier.Onnx.Export;

/// <summary>
/// One input of an exported model: an N×C×H×W image (dynamic batch, height and width), or a tensor of fixed
/// <see cref="Dims"/> whose -1 is the dynamic batch (a latent, N×512; AdaIN's alpha, [1]); and the range its seeded
/// verification values are drawn from.
/// </summary>
public sealed record ExportInput(string Name, long Channels, float Low, float High, long[]? Dims = null)
{
    public bool IsImage => Dims is null;
}
