// PaliGemma's detect answers parsed into boxes (app/chat/detections.h): four <locNNNN> per box in the order
// ymin xmin ymax xmax, binned to 1024, the label after them, boxes separated by " ; ".
#include "chat/detections.h"

#include <QtTest>

using vela::app::DetectionBox;
using vela::app::parseDetections;

class TestDetections : public QObject {
    Q_OBJECT

private slots:
    void parsesBoxesAndLabels()
    {
        const QList<DetectionBox> boxes =
            parseDetections("<loc0256><loc0128><loc0768><loc0512> cat ; <loc0000><loc0512><loc1023><loc1024> big dog");
        QCOMPARE(boxes.size(), 2);
        QCOMPARE(boxes[0], (DetectionBox{0.25, 0.125, 0.75, 0.5, "cat"}));
        QCOMPARE(boxes[1], (DetectionBox{0.0, 0.5, 1023 / 1024.0, 1.0, "big dog"}));
    }

    void toleratesWhatModelsWrite()
    {
        // No label, no spaces around ';', swapped corners, a value past the last bin, text around the boxes.
        const QList<DetectionBox> boxes =
            parseDetections("Found: <loc0100><loc0200><loc0300><loc0400>;<loc0900><loc0800><loc0100><loc9999>cup\n");
        QCOMPARE(boxes.size(), 2);
        QCOMPARE(boxes[0], (DetectionBox{100 / 1024.0, 200 / 1024.0, 300 / 1024.0, 400 / 1024.0, ""}));
        QCOMPARE(boxes[1], (DetectionBox{100 / 1024.0, 800 / 1024.0, 900 / 1024.0, 1.0, "cup"}));
    }

    void ignoresEverythingElse()
    {
        QVERIFY(parseDetections("A cat on a mat.").isEmpty());
        QVERIFY(parseDetections("<loc0100><loc0200><loc0300> three is not a box").isEmpty());
        QVERIFY(parseDetections("<loc100><loc200><loc300><loc400> three digits").isEmpty());
        QVERIFY(parseDetections("<seg001><seg002> segmentation tokens").isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestDetections)
#include "tst_detections.moc"
