using Atelier.Imaging;
using Atelier.Tests.Translation;
using Atelier.Translation.Data;
using Xunit;

namespace Atelier.Tests.Cli;

/// <summary>
/// The library names a bad option by its property ({BatchSize}); the CLI says which of the invoked command's flags to
/// change: the kebab-case of the name (BatchSize -> --batch-size, DRegEvery -> --d-reg-every, R1 -> --r1), or the
/// spelling the command uses when it differs (LearningRate -> --lr, StyleDim -> --latent, MaxConcurrentJobs -> --jobs).
/// </summary>
public class LibraryUsageErrorsCliTests
{
    const string NoData = "/nonexistent-atelier-data";

    public static TheoryData<string, string, string[]> Cases => new()
    {
        // stylegan train checks StyleGanTrainingOptions before it reads any data.
        { "--r1 -1: must not be negative", "R1", ["stylegan", "train", "--data", NoData, "-o", "/nonexistent-atelier-run", "--r1", "-1"] },
        { "--d-reg-every 0: must be at least 1", "DRegEvery", ["stylegan", "train", "--data", NoData, "-o", "/nonexistent-atelier-run", "--d-reg-every", "0"] },
        { "--n-mlp 0: must be positive", "NMlp", ["stylegan", "train", "--data", NoData, "-o", "/nonexistent-atelier-run", "--n-mlp", "0"] },
        { "--batch-size 0: must be at least 1", "BatchSize", ["stylegan", "train", "--data", NoData, "-o", "/nonexistent-atelier-run", "--batch-size", "0"] },
        { "--lr 0: must be a positive number", "LearningRate", ["stylegan", "train", "--data", NoData, "-o", "/nonexistent-atelier-run", "--lr", "0"] },
        { "--latent 0: must be positive", "StyleDim", ["stylegan", "train", "--data", NoData, "-o", "/nonexistent-atelier-run", "--latent", "0"] },
        { "--samples 0: must be at least 1", "SampleCount", ["stylegan", "train", "--data", NoData, "-o", "/nonexistent-atelier-run", "--samples", "0"] },
        // data pairs checks PairDatasetOptions before it reads the source folder.
        { "--min-crop 2: must be in (0, 1]", "MinCrop", ["data", "pairs", NoData, "-o", "/nonexistent-atelier-pairs", "--min-crop", "2"] },
        { "--test -1: must be 0 or more", "TestImages", ["data", "pairs", NoData, "-o", "/nonexistent-atelier-pairs", "--test", "-1"] },
        { "--count 0: must be at least 1", "Count", ["data", "shapes", "-o", "/nonexistent-atelier-shapes", "--count", "0"] },
        // data pictures and data glyphs check their options before they look for pictures or fonts.
        { "--size 8: must be 16 to 8192", "ShorterSide", ["data", "pictures", "-o", "/nonexistent-atelier-pictures", "--size", "8"] },
        { "--test-every 1: must be 0 (none) or 2 or more", "HoldOutEvery", ["data", "pictures", "-o", "/nonexistent-atelier-pictures", "--test-every", "1"] },
        { "--size 4: must be 8 to 1024", "Size", ["data", "glyphs", "-o", "/nonexistent-atelier-glyphs", "--size", "4"] },
        { "--test-every 1: must be 0 (none) or 2 or more", "HoldOutEvery", ["data", "glyphs", "-o", "/nonexistent-atelier-glyphs", "--test-every", "1"] },
        { "--fill 2: must be above 0 and at most 1", "Fill", ["data", "glyphs", "-o", "/nonexistent-atelier-glyphs", "--fill", "2"] },
        // The studio command's settings are StudioOptions, checked before the server starts.
        { "--jobs 0: must be at least 1", "MaxConcurrentJobs", ["studio", "--jobs", "0"] },
        { "--queue 0: must be at least 1", "MaxQueuedJobs", ["studio", "--queue", "0"] },
        { "--job-timeout -1 s: must be positive", "JobTimeout", ["studio", "--job-timeout", "-1"] },
        { "--max-upload 10: must be between 1024 bytes and 2 GiB", "MaxUploadBytes", ["studio", "--max-upload", "10"] },
        { "--max-pixels 1: must be between 64 and 2^30", "MaxPixels", ["studio", "--max-pixels", "1"] },
        { "--urls ftp://127.0.0.1:1: expected an address", "Urls", ["studio", "--urls", "ftp://127.0.0.1:1"] },
        { "--models /nonexistent-atelier-models: no such folder", "ModelsDirectory", ["studio", "--models", "/nonexistent-atelier-models"] },
        { "--model /nonexistent-atelier.pt: no such file", "ModelFiles", ["studio", "--model", "/nonexistent-atelier.pt"] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ALibraryUsageErrorNamesTheCommandsFlag(string expected, string libraryName, string[] args)
    {
        var r = CliHarness.Run(args);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("error: " + expected, r.Err);
        Assert.DoesNotContain(libraryName, r.Err);
    }

    [Fact]
    public void FastStyleTrainingSpellsItsOwnFlags()
    {
        // Checked before the content folder is read; each run loads the built-in ResNet-18 loss network.
        string[] run = ["style", "fast-train", "--style", "/nonexistent-atelier-style.png", "--content-dir", NoData, "-o", "/nonexistent-atelier.safetensors"];
        var r = CliHarness.Run([.. run, "--batch-size", "0"]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("error: --batch-size 0: must be 1 or more", r.Err);
        // ContentLayers: style gatys has --content-layers, style fast-train --content-layer.
        r = CliHarness.Run([.. run, "--content-layer", "nope"]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("error: --content-layer nope: ", r.Err);
        Assert.DoesNotContain("ContentLayers", r.Err);
        r = CliHarness.Run([.. run, "--content-weight", "-1"]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("error: --content-weight -1: must be non-negative", r.Err);
    }

    [Fact]
    public void AnExistingRunNamesTheRunFolderFlagOfEachTrainer()
    {
        using var dir = TestPaths.NewTempDir();
        // pix2pix writes its run into --output.
        var ab = dir.File("ab");
        Directory.CreateDirectory(ab);
        for (int i = 0; i < 2; i++)
            ImageIO.Save(PairDatasetBuilder.SideBySide(TrainingRunTests.Pattern(32, i), TrainingRunTests.Pattern(32, i + 5)), Path.Combine(ab, $"p{i}.png"));
        var run = dir.File("run");
        Directory.CreateDirectory(run);
        File.WriteAllText(Path.Combine(run, "checkpoint.safetensors"), "an earlier run");
        var r = CliHarness.Run("pix2pix", "train", "--data", ab, "-o", run, "--steps", "1", "--arch", "unet_32", "--ngf", "4", "--ndf", "4",
            "--netD", "n_layers_1", "--load-size", "32", "--crop-size", "32");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"error: --output {run} already holds a run (checkpoint.safetensors); use --resume to continue it, or choose another --output", r.Err);

        // The style trainers have both: --run-dir (default OUTPUT.run) is the one that names the folder.
        var content = dir.File("content");
        Directory.CreateDirectory(content);
        for (int i = 0; i < 2; i++) ImageIO.Save(TrainingRunTests.Pattern(32, i), Path.Combine(content, $"c{i}.png"));
        ImageIO.Save(TrainingRunTests.Pattern(32, 9), dir.File("style.png"));
        r = CliHarness.Run("style", "fast-train", "--style", dir.File("style.png"), "--content-dir", content, "-o", dir.File("net.safetensors"),
            "--run-dir", run, "--image-size", "32", "--batch-size", "1", "--steps", "1");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"error: --run-dir {run} already holds a run (checkpoint.safetensors); use --resume to continue it, or choose another --run-dir", r.Err);
    }
}
