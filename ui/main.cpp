// vela: the desktop application. Stays a few dozen lines: the window does the work.
#include "main_window.h"

#include <QApplication>

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    QApplication::setApplicationName("Vela");
    QApplication::setOrganizationName("Vela");
    QApplication::setApplicationVersion(VELA_VERSION);
    vela::ui::MainWindow window;
    window.show();
    return app.exec();
}
