using Atelier.Imaging;
using Atelier.Studio.Hosting;
using Microsoft.AspNetCore.Http;

namespace Atelier.Studio.Uploads;

/// <summary>
/// Turns a multipart field into an image under the studio's limits: size in bytes, type by magic bytes,
/// pixels by header, then decode. Every refusal is a <see cref="StudioRequestException"/> with a clear message.
/// </summary>
public sealed class UploadReader(StudioOptions options)
{
    static readonly string Accepted = "PNG, JPEG, GIF, BMP or WebP";

    /// <summary>The named file field, checked and read into memory; null when absent and not required.</summary>
    public async Task<byte[]?> ReadBytesAsync(IFormCollection form, string field, bool required, CancellationToken ct)
    {
        var file = form.Files.GetFile(field);
        if (file == null)
        {
            if (required) throw new StudioRequestException(400, $"'{field}': an image file is required");
            return null;
        }
        if (file.Length == 0) throw new StudioRequestException(400, $"'{field}': the file is empty");
        if (file.Length > options.MaxUploadBytes)
            throw new StudioRequestException(413, $"'{field}': the file is {file.Length} bytes; the limit is {options.MaxUploadBytes} bytes");
        var bytes = new byte[file.Length];
        await using (var s = file.OpenReadStream())
        {
            int read = 0;
            while (read < bytes.Length)
            {
                int n = await s.ReadAsync(bytes.AsMemory(read), ct).ConfigureAwait(false);
                if (n == 0) break;
                read += n;
            }
            if (read != bytes.Length) throw new StudioRequestException(400, $"'{field}': the upload ended early");
        }
        if (ImageSniffer.Sniff(bytes) == null)
            throw new StudioRequestException(415, $"'{field}': not an image this studio reads (expected {Accepted}; the content is checked, not the file name)");
        var size = ImageSniffer.ReadSize(bytes)
            ?? throw new StudioRequestException(400, $"'{field}': the image header is damaged");
        if ((long)size.Width * size.Height > options.MaxPixels)
            throw new StudioRequestException(413, $"'{field}': the image is {size.Width}x{size.Height} = {(long)size.Width * size.Height} pixels; the limit is {options.MaxPixels}");
        return bytes;
    }

    /// <summary>An RGB image from the named field (transparent parts read as white paper).</summary>
    public async Task<Image?> ReadRgbAsync(IFormCollection form, string field, bool required, CancellationToken ct)
    {
        var bytes = await ReadBytesAsync(form, field, required, ct).ConfigureAwait(false);
        return bytes == null ? null : Decode(() => StudioImages.DecodeRgb(bytes, $"'{field}'", options.MaxPixels));
    }

    /// <summary>A binary mask from the named field (painted = 1).</summary>
    public async Task<Image?> ReadMaskAsync(IFormCollection form, string field, bool required, CancellationToken ct)
    {
        var bytes = await ReadBytesAsync(form, field, required, ct).ConfigureAwait(false);
        return bytes == null ? null : Decode(() => StudioImages.DecodeMask(bytes, $"'{field}'", options.MaxPixels));
    }

    static Image Decode(Func<Image> decode)
    {
        try { return decode(); }
        catch (AtelierException e) { throw new StudioRequestException(400, Methods.FieldSpelling.None.Message(e)); }
    }
}
