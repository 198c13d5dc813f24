using Atelier.Data;
using Atelier.Imaging;
using Xunit;

namespace Atelier.Tests.Data;

/// <summary>`data pictures` on a made-up file system: KDE wallpaper folders, a backgrounds folder, dpkg's lists and status, a DEP-5 copyright file.</summary>
public class PackagedPicturesTests
{
    static void Picture(string path, int w, int h, float value)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var img = new Image(w, h, 3);
        for (int i = 0; i < img.Data.Length; i++) img.Data[i] = value + 0.3f * (i % w) / w;
        ImageIO.Save(img, path);
    }

    [Fact]
    public void CollectsOnePicturePerWallpaperWithPackageVersionAndLicenceAndHoldsSomeOut()
    {
        using var dir = TestPaths.NewTempDir();
        var root = dir.File("root");
        Picture(Path.Combine(root, "usr/share/wallpapers/Lake/contents/images/640x400.png"), 64, 40, 0.2f);
        Picture(Path.Combine(root, "usr/share/wallpapers/Lake/contents/images/1280x800.png"), 128, 80, 0.2f);
        Picture(Path.Combine(root, "usr/share/wallpapers/Hill/contents/images/1280x800.jpg"), 128, 80, 0.5f);
        Picture(Path.Combine(root, "usr/share/backgrounds/mate/nature/Meadow.png"), 90, 60, 0.6f);
        File.Copy(Path.Combine(root, "usr/share/backgrounds/mate/nature/Meadow.png"), Path.Combine(root, "usr/share/backgrounds/mate/nature/MeadowCopy.png"));
        Directory.CreateDirectory(Path.Combine(root, "var/lib/dpkg/info"));
        File.WriteAllLines(Path.Combine(root, "var/lib/dpkg/info/kde-walls.list"),
            ["/usr/share/wallpapers/Lake/contents/images/1280x800.png", "/usr/share/wallpapers/Hill/contents/images/1280x800.jpg"]);
        File.WriteAllLines(Path.Combine(root, "var/lib/dpkg/info/mate-bg.list"), ["/usr/share/backgrounds/mate/nature/Meadow.png"]);
        File.WriteAllLines(Path.Combine(root, "var/lib/dpkg/status"), ["Package: kde-walls", "Version: 4:5.27-2", "", "Package: mate-bg", "Version: 1.26"]);
        Directory.CreateDirectory(Path.Combine(root, "usr/share/doc/kde-walls"));
        File.WriteAllLines(Path.Combine(root, "usr/share/doc/kde-walls/copyright"),
            ["Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/", "", "Files: *", "License: GPL-2+", "", "Files: debian/*", "License: MIT", "", "License: GPL-2+", " text"]);

        var output = dir.File("out");
        var r = PackagedPictures.Collect(output, new PackagedPicturesOptions { Root = root, ShorterSide = 40, HoldOutEvery = 3 });
        Assert.Equal((2, 1, 1), (r.Train, r.Test, r.Duplicates));
        var rows = File.ReadAllLines(r.Attribution).Skip(1).Select(l => l.Split('\t')).ToList();
        Assert.Equal(3, rows.Count);
        // The largest of Lake's sizes, named after the wallpaper; resized to a shorter side of 40.
        var lake = rows.Single(x => x[0] == "kde-walls_Lake.jpg");
        Assert.Equal(["kde-walls_Lake.jpg", "train", "kde-walls", "4:5.27-2", "/usr/share/wallpapers/Lake/contents/images/1280x800.png", "GPL-2+", "/usr/share/doc/kde-walls/copyright"], lake);
        var img = ImageIO.Load(Path.Combine(output, "train", "kde-walls_Lake.jpg"));
        Assert.Equal((64, 40), (img.Width, img.Height));
        // The third picture in order is held out; the copy of Meadow is dropped.
        Assert.Single(Directory.GetFiles(Path.Combine(output, "test")));
        Assert.Contains(rows, x => x[0] == "mate-bg_Meadow.jpg" && x[2] == "mate-bg" && x[5] == "");
    }

    [Fact]
    public void AMachineWithoutSuchPackagesIsToldWhatToInstall()
    {
        using var dir = TestPaths.NewTempDir();
        var e = Assert.Throws<AtelierException>(() => PackagedPictures.Collect(dir.File("out"), new PackagedPicturesOptions { Root = dir.File("empty") }));
        Assert.Contains("apt-get install plasma-workspace-wallpapers mate-backgrounds", e.Message);
    }
}
