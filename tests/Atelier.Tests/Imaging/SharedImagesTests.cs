using System.Security.Cryptography;
using Atelier.Imaging;
using Xunit;

namespace Atelier.Tests.Imaging;

/// <summary>Real files from ../shared (skipped, saying why, when it is absent).</summary>
public class SharedImagesTests
{
    /// <summary>
    /// The 128 px parity inputs were made with PIL's bicubic resize: ResizeLikePil must give the same bytes. The
    /// hashes are SHA-256 of the uint8 CHW array from
    /// <c>np.asarray(Image.open(f).convert('RGB').resize((128,128), Image.BICUBIC)).transpose(2,0,1)</c> (PIL 9.4).
    /// </summary>
    [SkippableTheory]
    [InlineData("content.png", "b1952c36a80b0ed8fd01a23d401fe897c58a7a85b054d2135800a3a9b7172828")]
    [InlineData("style.png", "13791452a4e72a47568b24034c2af6836645457a70f9486173d1a6de9dcde4b3")]
    public void ParityInputsResizeLikePil(string name, string sha256)
    {
        var path = TestPaths.Parity(Path.Combine("inputs", name));
        Skip.If(path == null, TestPaths.SharedMissing);
        var img = ImageIO.Load(path!);
        Assert.Equal((256, 256, 3), (img.Width, img.Height, img.Channels));
        var small = ImageResize.ResizeLikePil(img, 128, 128, ResizeFilter.Bicubic);
        var bytes = small.Data.Select(v => (byte)MathF.Round(v * 255f)).ToArray();
        Assert.Equal(sha256, Convert.ToHexStringLower(SHA256.HashData(bytes)));
    }

    /// <summary>A progressive JPEG, baseline JPEGs (one with an EXIF orientation tag of 1) and a PNG.</summary>
    [SkippableFact]
    public void SharedPhotosAndPaintingsDecode()
    {
        var shared = TestPaths.Shared;
        Skip.If(shared == null, TestPaths.SharedMissing);
        string[] names = ["content/modern.jpg", "content/chicago.jpg", "style/mosaic.jpg", "style/la_muse.jpg", "style/sketch.png"];
        foreach (var file in names.Select(n => Path.Combine(shared!, "images", n)))
        {
            var bytes = File.ReadAllBytes(file);
            var format = ImageHeader.DetectFormat(bytes);
            Assert.NotNull(format);
            var size = ImageHeader.ReadSize(bytes, format!.Value);
            var img = ImageIO.Decode(bytes, file);
            Assert.Equal(size, (img.Width, img.Height)); // none of them carries a rotating EXIF orientation
            Assert.Equal(3, img.Channels);
            double mean = System.Numerics.Tensors.TensorPrimitives.Sum<float>(img.Data) / img.Data.Length;
            Assert.InRange(mean, 0.02, 0.98); // decoded to real content, not a blank buffer
        }
    }
}
