namespace Atelier.Translation;

/// <summary>
/// Checks of the translation trainers' sizes and widths (Pix2Pix and CycleGAN share them), naming the parameter at
/// fault, before anything is allocated.
/// </summary>
public static class TranslationSettings
{
    /// <summary>Load sizes of 8..4096 px, crops of at least 8 px within the load size, network widths of 1..1024 channels.</summary>
    public static void Validate(int loadSize, int cropSize, long ngf, long ndf)
    {
        if (loadSize < 8 || loadSize > 4096) throw new AtelierUsageException($"{{LoadSize}} {loadSize}: must be between 8 and 4096");
        if (cropSize < 8) throw new AtelierUsageException($"{{CropSize}} {cropSize}: must be at least 8");
        if (cropSize > loadSize) throw new AtelierUsageException($"{{CropSize}} {cropSize}: must not exceed {{LoadSize}} {loadSize}");
        if (ngf < 1 || ngf > 1024) throw new AtelierUsageException($"{{Ngf}} {ngf}: must be between 1 and 1024");
        if (ndf < 1 || ndf > 1024) throw new AtelierUsageException($"{{Ndf}} {ndf}: must be between 1 and 1024");
    }
}
