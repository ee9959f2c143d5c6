import CohortIngest
import CohortIngestTesting
import CohortPipeline
import Foundation
import ServiceLifecycle
import ServiceLifecycleTestKit
import Synchronization
import SystemPackage
import Testing

/// The services on fakes: drop events sent by hand, a manual clock, in-memory files.
@Suite struct ServiceTests {
    /// Runs the ingest service until `body` returns, then shuts it down gracefully.
    func withIngest(
        _ site: FakeSite, events: InMemoryDropEvents, notifier: RecordingNotifier, resumed: [ResumedJourney] = [],
        _ body: @Sendable () async throws -> Void
    ) async throws {
        let service = IngestService(environment: site.environment, events: events, notifier: notifier, resumed: resumed)
        try await testGracefulShutdown { trigger in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await service.run() }
                try await body()
                trigger.triggerGracefulShutdown()
                try await group.waitForAll()
            }
        }
    }

    /// Turns the clock until `condition` holds (or 2,000 ticks pass).
    func until(_ site: FakeSite, _ condition: @Sendable () async -> Bool) async -> Bool {
        for _ in 0..<2_000 {
            if await condition() { return true }
            site.clock.advance(by: .milliseconds(250))
            for _ in 0..<50 { await Task.yield() }
        }
        return await condition()
    }

    @Test func readyComesFirstAndAFileRenamedInIsAnalysed() async throws {
        let site = try FakeSite()
        let events = InMemoryDropEvents()
        let notifier = RecordingNotifier()
        try await withIngest(site, events: events, notifier: notifier) {
            site.files.drop("km_1.csv", Fixture.csv)
            events.send(.arrived("km_1.csv"))
            #expect(await until(site) { site.files.archivedCount == 1 })
        }
        #expect(notifier.messages.first?.hasPrefix("READY=1") == true)
        #expect(notifier.messages.last?.hasPrefix("STOPPING=1") == true)
        #expect(site.files.runFolderCount == 1)
    }

    @Test func aFileWrittenInPlaceIsTakenOnceItSettles() async throws {
        var options = IngestOptions(settle: 2)
        options.rescan = 30
        let site = try FakeSite(options: options)
        let events = InMemoryDropEvents()
        let notifier = RecordingNotifier()
        let service = IngestService(environment: site.environment, events: events, notifier: notifier)
        var configured = service
        let now = Int64(Date().timeIntervalSince1970 * 1e9)
        configured.wallClock = { now }
        let wall = configured
        try await testGracefulShutdown { trigger in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await wall.run() }
                site.files.drop("km_1.csv", Fixture.csv, modified: now)
                events.send(.changed)
                for _ in 0..<4 {  // 1 s of clock: not settled yet
                    site.clock.advance(by: .milliseconds(250))
                    for _ in 0..<50 { await Task.yield() }
                }
                #expect(site.files.processingCount == 0 && site.files.archivedCount == 0)
                #expect(await until(site) { site.files.archivedCount == 1 })
                #expect(site.clock.now >= .seconds(2))
                trigger.triggerGracefulShutdown()
                try await group.waitForAll()
            }
        }
    }

    @Test func aFileOpenForWritingWaitsPastItsSettleTime() async throws {
        let site = try FakeSite(options: IngestOptions(settle: 1))
        let events = InMemoryDropEvents()
        try await withIngest(site, events: events, notifier: RecordingNotifier()) {
            site.files.drop("km_1.csv", Fixture.csv)
            site.files.setOpenForWriting("km_1.csv", true)
            events.send(.arrived("km_1.csv"))
            for _ in 0..<40 {
                site.clock.advance(by: .milliseconds(250))
                for _ in 0..<50 { await Task.yield() }
            }
            #expect(site.files.archivedCount == 0 && site.files.dropPaths == ["km_1.csv"])
            site.files.setOpenForWriting("km_1.csv", false)
            #expect(await until(site) { site.files.archivedCount == 1 })
        }
    }

    @Test func aFullDiskPausesNewClaimsUntilAWriteSucceeds() async throws {
        let site = try FakeSite()
        let events = InMemoryDropEvents()
        let notifier = RecordingNotifier()
        site.files.inject(IngestError(.io, "publishing: ENOSPC", transient: true, noSpace: true), into: .publish, times: 2)
        try await withIngest(site, events: events, notifier: notifier) {
            site.files.drop("km_1.csv", Fixture.csv)
            events.send(.arrived("km_1.csv"))
            #expect(await until(site) { await site.state.concerns[.noSpace] != nil })
            site.files.drop("km_2.csv", Fixture.csv + "15,0,F\n")
            events.send(.arrived("km_2.csv"))
            for _ in 0..<50 { await Task.yield() }
            #expect(site.files.dropPaths == ["km_2.csv"])  // not claimed while the disk is full
            #expect(await until(site) { site.files.archivedCount == 2 })
        }
        #expect(site.files.count(.publish) == 4)
        #expect(await site.state.concerns[.noSpace] == nil)
    }

    @Test func aDegradedDropDirectoryStopsClaimsUntilItIsBack() async throws {
        let site = try FakeSite()
        let events = InMemoryDropEvents()
        let notifier = RecordingNotifier()
        try await withIngest(site, events: events, notifier: notifier) {
            site.files.setHealth(.dropDegraded("the drop directory was deleted"))
            #expect(await until(site) { await site.state.concerns[.watch] != nil })
            site.files.drop("km_1.csv", Fixture.csv)
            events.send(.arrived("km_1.csv"))
            for _ in 0..<8 {
                site.clock.advance(by: .milliseconds(250))
                for _ in 0..<50 { await Task.yield() }
            }
            #expect(site.files.archivedCount == 0)
            site.files.setHealth(.healthy)
            #expect(await until(site) { site.files.archivedCount == 1 })
            #expect(await site.state.concerns[.watch] == nil)
        }
    }

    @Test func aVanishedStateDirectoryStopsTheServiceWithAnError() async throws {
        let site = try FakeSite()
        let service = IngestService(environment: site.environment, events: InMemoryDropEvents(), notifier: RecordingNotifier())
        site.files.setHealth(.stateLost("the state directory vanished or was replaced"))
        let clock = site.clock
        let pump = Task {
            while !Task.isCancelled {
                clock.advance(by: .milliseconds(250))
                await Task.yield()
            }
        }
        defer { pump.cancel() }
        await #expect(throws: DaemonError.self) {
            try await testGracefulShutdown { _ in try await service.run() }
        }
    }

    @Test func resumedJourneysRunAsOrdinaryWorkAfterReady() async throws {
        let site = try FakeSite()
        let runID = RunInfo.newID()
        let stored = StoredName(runID: runID, relativePath: "km_1.csv")
        site.files.addClaimed(stored, Fixture.csv)
        try site.journal.recordClaim(runID: runID, name: "km_1.csv")
        let file = JourneyRunner.File(runID: runID, path: "km_1.csv", identity: site.files.claimedIdentity(stored))
        let notifier = RecordingNotifier()
        try await withIngest(site, events: InMemoryDropEvents(), notifier: notifier, resumed: [ResumedJourney(file: file, step: .inspect)]) {
            #expect(await until(site) { site.files.archivedCount == 1 })
        }
        #expect(notifier.messages.first?.hasPrefix("READY=1") == true)
        #expect(try site.journal.input(runID: runID)?.state == .archived)
    }

    @Test func theWatchdogPingsOnlyWhileTheLoopIsLive() async throws {
        let site = try FakeSite()
        let notifier = RecordingNotifier(watchdogInterval: .seconds(5))
        let watchdog = WatchdogService(state: site.state, notifier: notifier, clock: site.clock)
        #expect(await !watchdog.isLive(interval: .seconds(5)))  // before READY=1
        await site.state.becameReady()
        #expect(await watchdog.isLive(interval: .seconds(5)))
        await site.state.turnBegan(at: site.clock.now)
        site.clock.advance(by: .seconds(4))
        #expect(await watchdog.isLive(interval: .seconds(5)))
        site.clock.advance(by: .seconds(2))
        #expect(await !watchdog.isLive(interval: .seconds(5)))  // a turn stuck for 6 s
        await site.state.turnEnded()
        #expect(await watchdog.isLive(interval: .seconds(5)))
    }

    @Test func reloadsAreCoalescedAndAnInvalidOneKeepsTheOldPipelines() async throws {
        let site = try FakeSite()
        let notifier = RecordingNotifier()
        let counter = Counter()
        let (requests, requester) = ReloadService.makeRequests()
        let good = await site.state.pipelines
        let gate = Gate()
        let service = ReloadService(requests: requests, state: site.state, notifier: notifier, clock: site.clock, logger: .init(label: "test")) {
            counter.increment()
            gate.wait()
            if counter.value >= 2 { throw CancellationError() }
            return good
        }
        try await testGracefulShutdown { trigger in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await service.run() }
                requester.yield()
                while counter.value < 1 { await Task.yield() }
                for _ in 0..<5 { requester.yield() }  // five SIGHUPs during the first reload
                gate.open()
                while counter.value < 2 || notifier.messages.filter({ $0 == "READY=1" }).count < 2 { await Task.yield() }
                trigger.triggerGracefulShutdown()
                try await group.waitForAll()
            }
        }
        #expect(counter.value == 2)
        #expect(notifier.messages.filter { $0.hasPrefix("RELOADING=1") }.count == 2)
        #expect(await site.state.lastReloadError != nil)
        #expect(await site.state.pipelines.pipelines.map(\.pipeline.name) == good.pipelines.map(\.pipeline.name))
    }

    @Test func aReloadOverItsTimeBudgetIsRefused() async throws {
        let site = try FakeSite()
        let gate = Gate()
        let good = await site.state.pipelines
        var service = ReloadService(
            requests: AsyncStream { $0.finish() }, state: site.state, notifier: RecordingNotifier(), clock: site.clock, logger: .init(label: "test")
        ) {
            gate.wait()
            return good
        }
        service.budget = .seconds(10)
        let clock = site.clock
        let pump = Task {
            await clock.waitForSleepers(1)
            clock.advance(by: .seconds(11))
        }
        await service.reload()
        pump.cancel()
        gate.open()
        #expect(await site.state.lastReloadError?.contains("longer than") == true)
    }
}

/// A thread-blocking gate for a loader running on its own thread.
final class Gate: Sendable {
    private let opened = Mutex(false)
    func open() { opened.withLock { $0 = true } }
    func wait() { while !opened.withLock({ $0 }) { usleep(1_000) } }
}

final class Counter: Sendable {
    private let count = Mutex(0)
    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
