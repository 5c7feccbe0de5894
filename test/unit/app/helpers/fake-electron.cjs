/**
 * A stand-in for the parts of Electron main.ts uses, for running the real bundled main
 * process (dist/app/main.cjs) in plain Node: the Electron binary cannot exist here. Loaded
 * with `node -r fake-electron.cjs dist/app/main.cjs ...` from a forked child; it intercepts
 * `require('electron')` (the real package would try to download the binary) and talks to the
 * test over the fork IPC channel: it reports what the app did (window options, tray menus,
 * notifications, events sent to the page) and performs what the OS would (IPC calls from a
 * frame, requests to the app:// protocol, menu clicks, closing the window, quitting).
 */
'use strict';
const Module = require('node:module');
const { EventEmitter } = require('node:events');

const report = (type, data = {}) => process.send && process.send({ type, ...data });
const state = {
  ipcHandlers: new Map(),
  protocolHandler: null,
  windows: [],
  tray: null,
  appMenu: null,
  openHandler: null,
  listeners: new Map(),
};

class FakeWebContents extends EventEmitter {
  constructor() {
    super();
    this.destroyed = false;
  }
  send(channel, payload) {
    report('webContents.send', { channel, payload });
  }
  isDestroyed() {
    return this.destroyed;
  }
  setWindowOpenHandler(handler) {
    state.openHandler = handler;
  }
}

const app = new EventEmitter();
let ready = false;
let quitRequested = false;
Object.assign(app, {
  isPackaged: false,
  requestSingleInstanceLock: () => true,
  whenReady: () =>
    new Promise((resolve) =>
      setImmediate(() => {
        ready = true;
        resolve();
      }),
    ),
  isReady: () => ready,
  getVersion: () => '0.1.0-test',
  setAppUserModelId() {},
  quit() {
    if (quitRequested) return;
    quitRequested = true;
    app.emit('before-quit', { preventDefault() {} });
    const event = {
      defaultPrevented: false,
      preventDefault() {
        this.defaultPrevented = true;
      },
    };
    app.emit('will-quit', event);
    if (!event.defaultPrevented) {
      report('quit');
      setImmediate(() => process.exit(0));
    } else {
      quitRequested = false; // the app finishes its shutdown and calls quit() again
    }
  },
  exit(code) {
    process.exit(code);
  },
});

class BrowserWindow extends EventEmitter {
  constructor(options) {
    super();
    this.options = options;
    this.webContents = new FakeWebContents();
    this.visible = false;
    this.destroyed = false;
    state.windows.push(this);
    app.emit('web-contents-created', {}, this.webContents);
    report('window.created', { options: JSON.parse(JSON.stringify({ ...options, icon: undefined })) });
  }
  static getAllWindows() {
    return state.windows.filter((w) => !w.destroyed);
  }
  loadURL(url) {
    report('window.loadURL', { url });
    setImmediate(() => this.emit('ready-to-show'));
    return Promise.resolve();
  }
  setProgressBar(fraction) {
    report('window.progress', { fraction });
  }
  show() {
    this.visible = true;
    report('window.show');
  }
  hide() {
    this.visible = false;
    report('window.hide');
  }
  focus() {}
  restore() {}
  isMinimized() {
    return false;
  }
  isDestroyed() {
    return this.destroyed;
  }
  close() {
    const event = {
      defaultPrevented: false,
      preventDefault() {
        this.defaultPrevented = true;
      },
    };
    this.emit('close', event);
    if (event.defaultPrevented) return;
    this.destroyed = true;
    this.webContents.destroyed = true;
    this.webContents.emit('destroyed');
    this.emit('closed');
    report('window.closed');
    if (BrowserWindow.getAllWindows().length === 0) app.emit('window-all-closed');
  }
}

const menuItems = (template) =>
  template.map((i) => ({
    label: i.label,
    enabled: i.enabled !== false,
    role: i.role,
    type: i.type,
    submenu: i.submenu ? menuItems(i.submenu) : undefined,
  }));
const Menu = {
  buildFromTemplate: (template) => ({ template }),
  setApplicationMenu: (menu) => {
    state.appMenu = menu;
    report('appMenu', { items: menuItems(menu.template) });
  },
};

class Tray extends EventEmitter {
  constructor() {
    super();
    state.tray = this;
  }
  setContextMenu(menu) {
    this.menu = menu;
    report('tray.menu', { items: menuItems(menu.template) });
  }
  setToolTip(text) {
    report('tray.tooltip', { text });
  }
  destroy() {}
}

class Notification extends EventEmitter {
  static isSupported() {
    return true;
  }
  constructor(options) {
    super();
    this.options = options;
  }
  show() {
    report('notification', { title: this.options.title, body: this.options.body });
  }
}

const image = { resize: () => image, isEmpty: () => false };
const electron = {
  app,
  BrowserWindow,
  Menu,
  Tray,
  Notification,
  nativeImage: { createFromBuffer: () => image, createFromPath: () => image },
  ipcMain: { handle: (channel, fn) => state.ipcHandlers.set(channel, fn) },
  protocol: {
    registerSchemesAsPrivileged: (schemes) => report('protocol.privileged', { schemes }),
    handle: (scheme, fn) => {
      state.protocolHandler = fn;
    },
  },
  safeStorage: {
    isEncryptionAvailable: () => true,
    getSelectedStorageBackend: () => 'gnome_libsecret',
    encryptString: (s) => Buffer.from(`sealed:${Buffer.from(s).toString('base64')}`),
    decryptString: (b) => Buffer.from(b.toString().slice(7), 'base64').toString(),
  },
  session: { defaultSession: { setPermissionRequestHandler() {}, setPermissionCheckHandler() {} } },
  shell: {
    openExternal: async (url) => report('shell.openExternal', { url }),
    openPath: async (path) => {
      report('shell.openPath', { path });
      return '';
    },
  },
  dialog: {
    // The file the user picks in the next open dialog (set by the test), else cancelled.
    showOpenDialog: async (...args) => {
      report('dialog.open', { options: args[args.length - 1] });
      const picked = state.nextOpenDialogPath;
      state.nextOpenDialogPath = null;
      return picked ? { canceled: false, filePaths: [picked] } : { canceled: true, filePaths: [] };
    },
    showMessageBox: async (...args) => {
      report('dialog.message', { options: args[args.length - 1] });
      return { response: 0 };
    },
    showErrorBox: (title, content) => report('dialog.error', { title, content }),
  },
};

const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return request === 'electron' ? 'fake-electron' : resolve.call(this, request, ...rest);
};
require.cache['fake-electron'] = { id: 'fake-electron', filename: 'fake-electron', loaded: true, exports: electron };

/** Commands from the test. */
process.on('message', async (msg) => {
  try {
    if (msg.type === 'invoke') {
      const handler = state.ipcHandlers.get(msg.channel);
      const event = { senderFrame: msg.frameUrl === null ? null : { url: msg.frameUrl } };
      report('reply', { id: msg.id, value: handler ? await handler(event, ...msg.args) : { noHandler: true } });
    } else if (msg.type === 'fetch') {
      const res = await state.protocolHandler(new Request(msg.url));
      report('reply', { id: msg.id, value: { status: res.status, headers: Object.fromEntries(res.headers), text: await res.text() } });
    } else if (msg.type === 'navigate') {
      // Electron passes the details (with the url) first and the deprecated url second.
      const event = {
        url: msg.url,
        defaultPrevented: false,
        preventDefault() {
          this.defaultPrevented = true;
        },
      };
      state.windows[0].webContents.emit('will-navigate', event, msg.url);
      report('reply', {
        id: msg.id,
        value: { prevented: event.defaultPrevented, openHandler: state.openHandler ? state.openHandler({ url: msg.url }) : null },
      });
    } else if (msg.type === 'trayClick') {
      const item = state.tray.menu.template.find((i) => i.label === msg.label);
      item.click();
      report('reply', { id: msg.id, value: true });
    } else if (msg.type === 'menuClick') {
      // Follows a path of labels through the application menu and clicks the last item.
      let items = state.appMenu.template;
      let item = null;
      for (const label of msg.path) {
        item = items.find((i) => i.label === label);
        items = item && item.submenu;
      }
      state.nextOpenDialogPath = msg.pickFile || null;
      item.click();
      report('reply', { id: msg.id, value: true });
    } else if (msg.type === 'pickNext') {
      // What the user picks in the next open dialog (null: they cancel).
      state.nextOpenDialogPath = msg.path || null;
      report('reply', { id: msg.id, value: true });
    } else if (msg.type === 'closeWindow') {
      state.windows[0].close();
      report('reply', { id: msg.id, value: { visible: state.windows[0].visible, destroyed: state.windows[0].destroyed } });
    } else if (msg.type === 'quit') {
      app.quit();
      report('reply', { id: msg.id, value: true });
    }
  } catch (error) {
    report('reply', { id: msg.id, error: String((error && error.stack) || error) });
  }
});
