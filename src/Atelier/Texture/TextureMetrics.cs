using Atelier.Imaging;

namespace Atelier.Texture;

/// <summary>
/// How much a synthesised image looks like its sample, patch by patch.
/// <see cref="Coherence"/>: the mean, over the output's p x p patches, of the RMS difference (in [0,1] intensity
/// units) to the nearest p x p patch of the sample; 0 when every output patch occurs verbatim in the sample.
/// <see cref="Coverage"/>: the share of the sample's patches that are the nearest neighbour of at least one output
/// patch (low coverage = a few sample regions copied over and over).
/// <see cref="Repetition"/>: the most output patches that share one nearest sample patch, over the count an even
/// spread would give each (OutputPatches / SamplePatches, at least 1); a texture that repeats one region reads high.
/// </summary>
public sealed record TextureSimilarity(double Coherence, double Coverage, int OutputPatches, int SamplePatches, int PatchSize, double Repetition);

public static class TextureMetrics
{
    /// <param name="stride">Compare every stride-th output patch in each direction (1 = all of them).</param>
    public static TextureSimilarity Compare(Image output, Image sample, int patch = 5, int stride = 1, int maxThreads = 0,
        CancellationToken ct = default)
    {
        if (output.Channels != sample.Channels)
            throw new AtelierException($"the output has {output.Channels} channels and the sample {sample.Channels}; they must match");
        if (patch < 1 || stride < 1) throw new AtelierUsageException($"patch {patch} and stride {stride} must be positive");
        if (output.Width < patch || output.Height < patch || sample.Width < patch || sample.Height < patch)
            throw new AtelierUsageException($"patch {patch}: larger than the output ({output.Width}x{output.Height}) or the sample ({sample.Width}x{sample.Height})");
        int C = sample.Channels;
        var src = PatchSource.FromImage(sample);
        var grid = new CandidateGrid(0, 0, sample.Width - patch + 1, sample.Height - patch + 1);
        var search = new PatchSearch(src, SearchEngine.Fast, maxThreads);
        var uses = new int[grid.Count];
        var dims = new SearchDim[patch * patch * C];
        var selected = new List<int>();
        double sum = 0;
        int count = 0;
        for (int y = 0; y + patch <= output.Height; y += stride)
            for (int x = 0; x + patch <= output.Width; x += stride)
            {
                ct.ThrowIfCancellationRequested();
                int n = 0;
                for (int dy = 0; dy < patch; dy++)
                    for (int dx = 0; dx < patch; dx++)
                        for (int c = 0; c < C; c++)
                            dims[n++] = new SearchDim(SearchDim.OffsetOf(src, c, dy, dx), output[c, y + dy, x + dx], 1f);
                float d = search.Search(grid, dims, n, n, 1f, selected);
                uses[selected[0]]++;
                sum += Math.Sqrt(d);
                count++;
            }
        double even = Math.Max(1.0, count / (double)grid.Count);
        return new TextureSimilarity(sum / count, uses.Count(u => u > 0) / (double)grid.Count, count, grid.Count, patch, uses.Max() / even);
    }
}
