#!/usr/bin/env python3
"""Closes an X11 top-level window the way a window manager does: a WM_DELETE_WINDOW message.

Usage: close-window.py TITLE. The desktop benchmark uses it to measure the app after its window
is closed (WebDriver cannot close the window without ending the app). Plain ctypes on libX11, so
it needs nothing beyond what WebKitGTK already installs. Exits 1 when no window has the title.
"""
import ctypes
import ctypes.util
import sys

x11 = ctypes.cdll.LoadLibrary(ctypes.util.find_library("X11") or "libX11.so.6")
Window = ctypes.c_ulong
Atom = ctypes.c_ulong


class ClientMessageData(ctypes.Union):
    _fields_ = [("l", ctypes.c_long * 5)]


class XClientMessageEvent(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("serial", ctypes.c_ulong),
        ("send_event", ctypes.c_int),
        ("display", ctypes.c_void_p),
        ("window", Window),
        ("message_type", Atom),
        ("format", ctypes.c_int),
        ("data", ClientMessageData),
    ]


class XEvent(ctypes.Union):
    _fields_ = [("xclient", XClientMessageEvent), ("pad", ctypes.c_long * 24)]


CLIENT_MESSAGE = 33
x11.XOpenDisplay.restype = ctypes.c_void_p
x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
x11.XDefaultRootWindow.restype = Window
x11.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
x11.XInternAtom.restype = Atom
x11.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
x11.XQueryTree.argtypes = [ctypes.c_void_p, Window, ctypes.POINTER(Window), ctypes.POINTER(Window),
                           ctypes.POINTER(ctypes.POINTER(Window)), ctypes.POINTER(ctypes.c_uint)]
x11.XFetchName.argtypes = [ctypes.c_void_p, Window, ctypes.POINTER(ctypes.c_char_p)]
x11.XSendEvent.argtypes = [ctypes.c_void_p, Window, ctypes.c_int, ctypes.c_long,
                           ctypes.POINTER(XEvent)]
x11.XFlush.argtypes = [ctypes.c_void_p]
x11.XCloseDisplay.argtypes = [ctypes.c_void_p]


def windows(display, parent):
    """Every window below `parent`, depth first."""
    root, par = Window(), Window()
    children = ctypes.POINTER(Window)()
    n = ctypes.c_uint()
    if not x11.XQueryTree(display, parent, ctypes.byref(root), ctypes.byref(par),
                          ctypes.byref(children), ctypes.byref(n)):
        return
    found = [children[i] for i in range(n.value)]
    for w in found:
        yield w
        yield from windows(display, w)


# Windows come and go while the tree is walked; Xlib's default handler would exit on the
# resulting BadWindow errors, so errors are ignored (a vanished window simply does not match).
XErrorHandler = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)
ignore_errors = XErrorHandler(lambda display, error: 0)


def main():
    title = sys.argv[1].encode()
    x11.XSetErrorHandler(ignore_errors)
    display = x11.XOpenDisplay(None)
    if not display:
        sys.exit("close-window: cannot open the X display")
    protocols = x11.XInternAtom(display, b"WM_PROTOCOLS", 0)
    delete = x11.XInternAtom(display, b"WM_DELETE_WINDOW", 0)
    closed = 0
    for w in windows(display, x11.XDefaultRootWindow(display)):
        name = ctypes.c_char_p()
        if x11.XFetchName(display, w, ctypes.byref(name)) and name.value == title:
            event = XEvent()
            event.xclient.type = CLIENT_MESSAGE
            event.xclient.window = w
            event.xclient.message_type = protocols
            event.xclient.format = 32
            event.xclient.data.l[0] = delete
            x11.XSendEvent(display, w, 0, 0, ctypes.byref(event))
            closed += 1
    x11.XFlush(display)
    x11.XCloseDisplay(display)
    sys.exit(0 if closed else 1)


if __name__ == "__main__":
    main()
