namespace Atelier.Onnx.Export;

/// <summary>
/// One input of an exported model: an N×C×H×W image (dynamic batch, height and width) or a one-element value such as
/// AdaIN's alpha, and the range its seeded verification values are drawn from.
/// </summary>
public sealed record ExportInput(string Name, long Channels, float Low, float High, bool IsImage = true);
