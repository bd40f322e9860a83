<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="th" sourcelanguage="en">
<context>
    <name></name>
    <message>
        <location filename="../../views/emergency/emergency_model.py" line="+48"/>
        <source>Trading halt</source>
        <translation>หยุดการซื้อขาย</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Trading resume</source>
        <translation>เปิดการซื้อขายอีกครั้ง</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Load shedding</source>
        <translation>ตัดโหลด</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Demand response</source>
        <translation>การตอบสนองด้านความต้องการใช้ไฟฟ้า</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+20"/>
        <source>selected</source>
        <translation>เลือกแล้ว</translation>
    </message>
    <message>
        <location line="-20"/>
        <source>awaiting approval</source>
        <translation>รออนุมัติ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>approved</source>
        <translation>อนุมัติแล้ว</translation>
    </message>
    <message>
        <location line="+0"/>
        <location line="+25"/>
        <source>submitted</source>
        <translation>ส่งแล้ว</translation>
    </message>
    <message>
        <location line="-25"/>
        <source>final</source>
        <translation>ยืนยันถาวรแล้ว</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>rejected</source>
        <translation>ถูกปฏิเสธ</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>cancelled</source>
        <translation>ยกเลิกแล้ว</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+31"/>
        <source>expired</source>
        <translation>หมดอายุ</translation>
    </message>
    <message>
        <location line="-24"/>
        <source>stage {stage} · {mw} MW</source>
        <translation>ขั้นที่ {stage} · {mw} MW</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{mw} MW · {s} s</source>
        <translation>{mw} MW · {s} s</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>awaiting approval by a supervisor</source>
        <translation>รอหัวหน้ากะอนุมัติ</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>approved by {who}</source>
        <translation>อนุมัติโดย {who}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>final in block {n}</source>
        <translation>ยืนยันถาวรในบล็อก {n}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>rejected: {reason}</source>
        <translation>ถูกปฏิเสธ: {reason}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>cancelled ({detail})</source>
        <translation>ยกเลิกแล้ว ({detail})</translation>
    </message>
</context>
<context>
    <name>AboutDialog</name>
    <message>
        <location filename="../../app/shell/about.py" line="+38"/>
        <source>About GridTokenX Authority Console</source>
        <translation>เกี่ยวกับคอนโซลหน่วยงานผู้มีอำนาจ GridTokenX</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>&lt;b&gt;GridTokenX Authority Console&lt;/b&gt;</source>
        <translation>&lt;b&gt;คอนโซลหน่วยงานผู้มีอำนาจ GridTokenX&lt;/b&gt;</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Version</source>
        <translation>รุ่น</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Chain id</source>
        <translation>รหัสเชน</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Genesis hash</source>
        <translation>แฮชบล็อกเริ่มต้น (genesis)</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>{missing} (the node has not answered yet)</source>
        <translation>{missing} (โหนดยังไม่ตอบ)</translation>
    </message>
</context>
<context>
    <name>AlarmBanner</name>
    <message>
        <location filename="../../views/alarms/alarm_banner.py" line="+55"/>
        <source>Critical</source>
        <translation>วิกฤต</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>High</source>
        <translation>สูง</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Medium</source>
        <translation>ปานกลาง</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Low</source>
        <translation>ต่ำ</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>{name} {n}</source>
        <translation>{name} {n}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>({n} unack.)</source>
        <translation>(ยังไม่รับทราบ {n})</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Show only {name} alarms</source>
        <translation>แสดงเฉพาะสัญญาณเตือนระดับ{name}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>shelved</source>
        <translation>พักไว้</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>suppressed</source>
        <translation>ระงับ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>out of service</source>
        <translation>ปลดใช้งาน</translation>
    </message>
</context>
<context>
    <name>AlarmList</name>
    <message>
        <location filename="../../views/alarms/alarm_list.py" line="+177"/>
        <source>Critical</source>
        <translation>วิกฤต</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>High</source>
        <translation>สูง</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Medium</source>
        <translation>ปานกลาง</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Low</source>
        <translation>ต่ำ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>All</source>
        <translation>ทั้งหมด</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Unacknowledged (all)</source>
        <translation>ยังไม่รับทราบ (ทั้งหมด)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Substation</source>
        <translation>สถานีไฟฟ้าย่อย</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Priority</source>
        <translation>ระดับ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Area</source>
        <translation>พื้นที่</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>State</source>
        <translation>สถานะ</translation>
    </message>
    <message>
        <location line="+44"/>
        <source>Acknowledge</source>
        <translation>รับทราบ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Acknowledge the selected alarms</source>
        <translation>รับทราบสัญญาณเตือนที่เลือก</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Acknowledge all shown</source>
        <translation>รับทราบทั้งหมดที่แสดง</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Shelve…</source>
        <translation>พักสัญญาณเตือน…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Unshelve</source>
        <translation>ยกเลิกการพัก</translation>
    </message>
    <message>
        <location line="+102"/>
        <source>{shown} of {total} shown</source>
        <translation>แสดง {shown} จาก {total}</translation>
    </message>
</context>
<context>
    <name>AlarmTableModel</name>
    <message>
        <location filename="../../views/alarms/alarm_model.py" line="+258"/>
        <source>Time ({zone})</source>
        <translation>เวลา ({zone})</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Priority</source>
        <translation>ระดับ</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>State</source>
        <translation>สถานะ</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Area</source>
        <translation>พื้นที่</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Substation</source>
        <translation>สถานีไฟฟ้าย่อย</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Alarm</source>
        <translation>สัญญาณเตือน</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Value</source>
        <translation>ค่า</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>Critical</source>
        <translation>วิกฤต</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>High</source>
        <translation>สูง</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Medium</source>
        <translation>ปานกลาง</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Low</source>
        <translation>ต่ำ</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Unacknowledged</source>
        <translation>ยังไม่รับทราบ</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Acknowledged</source>
        <translation>รับทราบแล้ว</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Returned, unack.</source>
        <translation>กลับสู่ปกติ ยังไม่รับทราบ</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Shelved</source>
        <translation>พักไว้</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Suppressed by design</source>
        <translation>ระงับตามการออกแบบ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Out of service</source>
        <translation>ปลดใช้งาน</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Normal</source>
        <translation>ปกติ</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>{v} Hz</source>
        <translation>{v} Hz</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{v} kV</source>
        <translation>{v} kV</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{v} blocks</source>
        <translation>{v} บล็อก</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Shelved by {who} until {until}: {reason}</source>
        <translation>พักไว้โดย {who} ถึง {until}: {reason}</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Out of service ({who}): {reason}</source>
        <translation>ปลดใช้งาน ({who}): {reason}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Active since {time}</source>
        <translation>เกิดขึ้นตั้งแต่ {time}</translation>
    </message>
</context>
<context>
    <name>ApprovalDialog</name>
    <message>
        <location filename="../../app/shell/approval.py" line="+64"/>
        <source>Supervisor approval — selection {id}</source>
        <translation>หัวหน้ากะอนุมัติ — รายการเลือก {id}</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Approve</source>
        <translation>อนุมัติ</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>A second person approves this action with their own token (two-person rule). Check it before you approve.</source>
        <translation>บุคคลที่สองอนุมัติการสั่งการนี้ด้วยโทเค็นของตนเอง (กฎสองบุคคล) ตรวจสอบให้ถูกต้องก่อนอนุมัติ</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>DEVNET: the documented PIN of the chosen person&apos;s token is filled in.</source>
        <translation>DEVNET: กรอก PIN ตามเอกสารของโทเค็นของบุคคลที่เลือกไว้ให้แล้ว</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>The action</source>
        <translation>การสั่งการ</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>all regions</source>
        <translation>ทุกภูมิภาค</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Action:</source>
        <translation>การสั่งการ:</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Region:</source>
        <translation>ภูมิภาค:</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Stage:</source>
        <translation>ขั้น:</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Load:</source>
        <translation>โหลด:</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>{mw} MW</source>
        <translation>{mw} MW</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Duration:</source>
        <translation>ระยะเวลา:</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>{s} s</source>
        <translation>{s} วินาที</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reason:</source>
        <translation>เหตุผล:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>What it does:</source>
        <translation>ผลของการสั่งการ:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Selected by:</source>
        <translation>ผู้เลือก:</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>{operator} at {time} ({zone})</source>
        <translation>{operator} เมื่อ {time} ({zone})</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Approve by {time} ({zone}): {s} s left.</source>
        <translation>อนุมัติภายใน {time} ({zone}): เหลือ {s} วินาที</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The approval window has closed: the operator selects the action again.</source>
        <translation>หมดเวลาอนุมัติแล้ว: ผู้ปฏิบัติงานต้องเลือกการสั่งการใหม่</translation>
    </message>
</context>
<context>
    <name>BackendLink</name>
    <message>
        <location filename="../../app/links/backend_link.py" line="+100"/>
        <source>devnet: no cloud backend</source>
        <translation>devnet: ไม่มีคลาวด์</translation>
    </message>
</context>
<context>
    <name>BlockDetailPane</name>
    <message>
        <location filename="../../views/explorer/block_detail.py" line="+50"/>
        <source>Select a block, or search by height or hash.</source>
        <translation>เลือกบล็อก หรือค้นหาด้วยความสูงบล็อกหรือแฮช</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Block</source>
        <translation>บล็อก</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Height</source>
        <translation>ความสูงบล็อก</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Time ({zone})</source>
        <translation>เวลา ({zone})</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Proposer</source>
        <translation>ผู้เสนอบล็อก</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Round</source>
        <translation>รอบ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Total energy kWh</source>
        <translation>พลังงานรวม kWh</translation>
    </message>
    <message>
        <location line="+0"/>
        <location line="+40"/>
        <source>Transactions</source>
        <translation>ธุรกรรม</translation>
    </message>
    <message>
        <location line="-39"/>
        <source>Signatures</source>
        <translation>ลายเซ็น</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Hash</source>
        <translation>แฮช</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Previous hash</source>
        <translation>แฮชบล็อกก่อนหน้า</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Merkle root</source>
        <translation>Merkle root</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>State root</source>
        <translation>State root</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Grid state hash</source>
        <translation>แฮชสถานะโครงข่าย</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Grid snapshot</source>
        <translation>สถานะโครงข่าย ณ บล็อกนี้</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+18"/>
        <source>Region</source>
        <translation>ภูมิภาค</translation>
    </message>
    <message>
        <location line="-18"/>
        <source>Load MW</source>
        <translation>โหลด MW</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Generation MW</source>
        <translation>ผลิต MW</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Authority signatures</source>
        <translation>ลายเซ็นหน่วยงานผู้มีอำนาจ</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Authority</source>
        <translation>หน่วยงาน</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Address</source>
        <translation>แอดเดรส</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Verification</source>
        <translation>การตรวจสอบ</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Kind</source>
        <translation>ประเภท</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Sender</source>
        <translation>ผู้ส่ง</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Counterparty</source>
        <translation>คู่สัญญา</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Energy kWh</source>
        <translation>พลังงาน kWh</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Price THB/kWh</source>
        <translation>ราคา THB/kWh</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Amount THB</source>
        <translation>จำนวนเงิน THB</translation>
    </message>
    <message>
        <location line="+67"/>
        <source>No grid source connected</source>
        <translation>ไม่ได้เชื่อมต่อแหล่งข้อมูลโครงข่าย</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{hz} Hz at {time}</source>
        <translation>{hz} Hz เมื่อ {time}</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Transfer</source>
        <translation>โอน</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Energy trade</source>
        <translation>ซื้อขายพลังงาน</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>unknown authority</source>
        <translation>หน่วยงานที่ไม่รู้จัก</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>✓ verified</source>
        <translation>✓ ตรวจสอบแล้ว</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>✗ NOT VALID</source>
        <translation>✗ ไม่ถูกต้อง</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>{n} (quorum {quorum})</source>
        <translation>{n} (องค์ประชุม {quorum})</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>⚠ {text}, {invalid} NOT VALID</source>
        <translation>⚠ {text}, ไม่ถูกต้อง {invalid}</translation>
    </message>
</context>
<context>
    <name>BlockExplorer</name>
    <message>
        <location filename="../../views/explorer/block_explorer.py" line="+89"/>
        <source>Height, hash or hash prefix (8+ hex)</source>
        <translation>ความสูงบล็อก แฮช หรือต้นแฮช (hex 8 ตัวขึ้นไป)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Find block</source>
        <translation>ค้นหาบล็อก</translation>
    </message>
    <message>
        <location line="+126"/>
        <source>{n} blocks in the table start with {prefix}; type more characters.</source>
        <translation>มี {n} บล็อกในตารางที่ขึ้นต้นด้วย {prefix} พิมพ์อักขระเพิ่ม</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>No block in the table starts with {prefix}. Search older blocks by height or by the full 64-character hash.</source>
        <translation>ไม่มีบล็อกในตารางที่ขึ้นต้นด้วย {prefix} ค้นหาบล็อกที่เก่ากว่าด้วยความสูงบล็อกหรือแฮชเต็ม 64 อักขระ</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Type a block height or hash.</source>
        <translation>พิมพ์ความสูงบล็อกหรือแฮช</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>That height is beyond any block.</source>
        <translation>ยังไม่มีบล็อกที่ความสูงนี้</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>A hash prefix needs at least {n} hex characters.</source>
        <translation>ต้นแฮชต้องมีอักขระ hex อย่างน้อย {n} ตัว</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A block hash has 64 hex characters.</source>
        <translation>แฮชบล็อกมีอักขระ hex 64 ตัว</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>“{text}” is not a block height or hash (digits, or hex 0-9 a-f).</source>
        <translation>“{text}” ไม่ใช่ความสูงบล็อกหรือแฮช (ตัวเลข หรือ hex 0-9 a-f)</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Block not found.</source>
        <translation>ไม่พบบล็อก</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No block at height {height}.</source>
        <translation>ไม่มีบล็อกที่ความสูง {height}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No block with hash {hash}.</source>
        <translation>ไม่มีบล็อกที่มีแฮช {hash}</translation>
    </message>
</context>
<context>
    <name>BlockTableModel</name>
    <message>
        <location filename="../../views/explorer/block_table_model.py" line="+145"/>
        <source>Height</source>
        <translation>ความสูง</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Hash</source>
        <translation>แฮช</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Time ({zone})</source>
        <translation>เวลา ({zone})</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Proposer</source>
        <translation>ผู้เสนอบล็อก</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Txs</source>
        <translation>ธุรกรรม</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Energy kWh</source>
        <translation>พลังงาน kWh</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Signatures</source>
        <translation>ลายเซ็น</translation>
    </message>
    <message>
        <location line="+43"/>
        <source>{n} commit signatures; {quorum} needed for finality</source>
        <translation>ลายเซ็นยืนยัน {n} รายการ ต้องมี {quorum} จึงจะยืนยันถาวร</translation>
    </message>
</context>
<context>
    <name>Console</name>
    <message>
        <location filename="../../app/shell/console.py" line="+150"/>
        <source>not connected to the node yet</source>
        <translation>ยังไม่ได้เชื่อมต่อกับโหนด</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Switch operator — {authority}</source>
        <translation>เปลี่ยนผู้ปฏิบัติงาน — {authority}</translation>
    </message>
    <message>
        <location line="+54"/>
        <source>Start-up failed</source>
        <translation>การเริ่มระบบล้มเหลว</translation>
    </message>
</context>
<context>
    <name>ConsoleRuntime</name>
    <message>
        <location filename="../../app/shell/startup.py" line="+167"/>
        <source>preparing devnet</source>
        <translation>กำลังเตรียม devnet</translation>
    </message>
    <message>
        <location line="+5"/>
        <location line="+5"/>
        <source>operator login</source>
        <translation>ผู้ปฏิบัติงานเข้าสู่ระบบ</translation>
    </message>
    <message>
        <location line="-9"/>
        <location line="+6"/>
        <source>opening telemetry store</source>
        <translation>กำลังเปิดที่เก็บข้อมูลตรวจวัด</translation>
    </message>
    <message>
        <location line="-5"/>
        <source>starting authority nodes</source>
        <translation>กำลังเริ่มโหนดหน่วยงาน</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>starting grid simulator</source>
        <translation>กำลังเริ่มตัวจำลองโครงข่าย</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+5"/>
        <source>connecting</source>
        <translation>กำลังเชื่อมต่อ</translation>
    </message>
    <message>
        <location line="-3"/>
        <source>reading node config</source>
        <translation>กำลังอ่านค่าตั้งโหนด</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>starting authority node</source>
        <translation>กำลังเริ่มโหนดหน่วยงาน</translation>
    </message>
    <message>
        <location line="+56"/>
        <source>no gcp profile and no $BIGTABLE_EMULATOR_HOST</source>
        <translation>ไม่มีโปรไฟล์ gcp และไม่มี $BIGTABLE_EMULATOR_HOST</translation>
    </message>
    <message>
        <location line="+63"/>
        <source>not configured</source>
        <translation>ไม่ได้ตั้งค่า</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>exited (usage error), not restarted</source>
        <translation>หยุดทำงาน (ใช้งานผิดพลาด) ไม่เริ่มใหม่</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>died; restarting in {s:.0f} s</source>
        <translation>หยุดทำงาน เริ่มใหม่ใน {s:.0f} s</translation>
    </message>
</context>
<context>
    <name>ControlLink</name>
    <message>
        <location filename="../../app/links/control_link.py" line="+226"/>
        <source>{n} alarms</source>
        <translation>สัญญาณเตือน {n} รายการ</translation>
    </message>
</context>
<context>
    <name>EmergencyPanel</name>
    <message>
        <location filename="../../views/emergency/emergency_panel.py" line="+97"/>
        <source>Actions</source>
        <translation>การสั่งการ</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>#</source>
        <translation>#</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Action</source>
        <translation>การดำเนินการ</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Region</source>
        <translation>ภูมิภาค</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Detail</source>
        <translation>รายละเอียด</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Operator</source>
        <translation>ผู้ปฏิบัติงาน</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Selected ({zone})</source>
        <translation>เวลาที่เลือก ({zone})</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Life</source>
        <translation>สถานะการสั่งการ</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Emergency action</source>
        <translation>การสั่งการฉุกเฉิน</translation>
    </message>
    <message>
        <location line="+12"/>
        <source> MW</source>
        <translation> MW</translation>
    </message>
    <message>
        <location line="+5"/>
        <source> s</source>
        <translation> s</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>why (recorded on chain and in the audit log)</source>
        <translation>เหตุผล (บันทึกบนเชนและในบันทึกตรวจสอบ)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Action:</source>
        <translation>การสั่งการ:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Region:</source>
        <translation>ภูมิภาค:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stage:</source>
        <translation>ขั้น:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Load:</source>
        <translation>โหลด:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Duration:</source>
        <translation>ระยะเวลา:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reason:</source>
        <translation>เหตุผล:</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Select</source>
        <translation>เลือก</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Selected action</source>
        <translation>การสั่งการที่เลือก</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Operate…</source>
        <translation>สั่งการ…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Approve as supervisor…</source>
        <translation>อนุมัติในฐานะหัวหน้ากะ…</translation>
    </message>
    <message>
        <location line="+86"/>
        <source>{operator}&apos;s role may not select emergency actions</source>
        <translation>บทบาทของ {operator} ไม่มีสิทธิ์เลือกการสั่งการฉุกเฉิน</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Log in to select emergency actions</source>
        <translation>เข้าสู่ระบบเพื่อเลือกการสั่งการฉุกเฉิน</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>{step} refused — {reason}</source>
        <translation>{step} ถูกปฏิเสธ — {reason}</translation>
    </message>
    <message>
        <location line="+54"/>
        <source>Waiting for a supervisor: approve within {s} s, or the selection expires.</source>
        <translation>รอหัวหน้ากะ: ต้องอนุมัติภายใน {s} วินาที มิฉะนั้นรายการเลือกจะหมดอายุ</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>No supervisor approved it in time; select again.</source>
        <translation>ไม่มีหัวหน้ากะอนุมัติทันเวลา โปรดเลือกใหม่</translation>
    </message>
    <message>
        <location line="-165"/>
        <source>Cancel action</source>
        <translation>ยกเลิกการสั่งการ</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>Operate selection {id}?

{consequence}</source>
        <translation>สั่งการรายการที่เลือก {id} หรือไม่?

{consequence}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>A supervisor must approve it before it is signed and submitted.</source>
        <translation>ต้องให้หัวหน้ากะอนุมัติก่อนลงนามและส่ง</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>It will be signed with the authority&apos;s HSM key and submitted now.</source>
        <translation>จะลงนามด้วยกุญแจ HSM ของหน่วยงานและส่งทันที</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Operate emergency action</source>
        <translation>สั่งการฉุกเฉิน</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>The selection expired before it was operated; select again.</source>
        <translation>รายการที่เลือกหมดอายุก่อนสั่งการ ให้เลือกใหม่</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Selects as {operator}</source>
        <translation>เลือกในนาม {operator}</translation>
    </message>
    <message>
        <location line="+44"/>
        <source>No action selected. Pick an action and press Select: its consequence is shown before anything is operated.</source>
        <translation>ยังไม่ได้เลือกการสั่งการ เลือกการสั่งการแล้วกด เลือก: ระบบจะแสดงผลกระทบก่อนสั่งการจริง</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Selection {id}: {action} — {consequence}</source>
        <translation>รายการที่เลือก {id}: {action} — {consequence}</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Operate within {s} s, or the selection expires.</source>
        <translation>สั่งการภายใน {s} s มิฉะนั้นรายการที่เลือกจะหมดอายุ</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The selection expired; select again.</source>
        <translation>รายการที่เลือกหมดอายุ ให้เลือกใหม่</translation>
    </message>
    <message>
        <location line="+34"/>
        <location line="+24"/>
        <source>all regions</source>
        <translation>ทุกภูมิภาค</translation>
    </message>
</context>
<context>
    <name>GovernanceView</name>
    <message>
        <location filename="../../views/governance/governance_view.py" line="+95"/>
        <source>New proposal…</source>
        <translation>ข้อเสนอใหม่…</translation>
    </message>
    <message>
        <location line="+51"/>
        <source>Vote Yes</source>
        <translation>ลงคะแนนเห็นด้วย</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Vote No</source>
        <translation>ลงคะแนนไม่เห็นด้วย</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Abstain</source>
        <translation>งดออกเสียง</translation>
    </message>
    <message>
        <location line="+60"/>
        <source>Proposal submitted (tx {tx}); it is listed once its block is final.</source>
        <translation>ส่งข้อเสนอแล้ว (tx {tx}) จะแสดงในรายการเมื่อบล็อกได้รับการยืนยันถาวร</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Vote {choice} on #{id} submitted (tx {tx}); it counts once its block is final.</source>
        <translation>ส่งคะแนน{choice}ต่อ #{id} แล้ว (tx {tx}) นับคะแนนเมื่อบล็อกได้รับการยืนยันถาวร</translation>
    </message>
    <message>
        <location line="-7"/>
        <source>⚠ Proposal refused — {reason}</source>
        <translation>⚠ ข้อเสนอถูกปฏิเสธ — {reason}</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>⚠ Vote {choice} on #{id} refused — {reason}</source>
        <translation>⚠ การลงคะแนน{choice}ต่อ #{id} ถูกปฏิเสธ — {reason}</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>⚠ Proposals not refreshed — {type}: {message}</source>
        <translation>⚠ ไม่ได้ปรับปรุงรายการข้อเสนอ — {type}: {message}</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>Confirm vote</source>
        <translation>ยืนยันการลงคะแนน</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Sign and vote {choice}</source>
        <translation>ลงนามและลงคะแนน{choice}</translation>
    </message>
    <message>
        <location line="+84"/>
        <location line="+30"/>
        <source>this authority</source>
        <translation>หน่วยงานนี้</translation>
    </message>
    <message>
        <location line="-27"/>
        <source>Select a proposal to vote.</source>
        <translation>เลือกข้อเสนอเพื่อลงคะแนน</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Voting on #{id} is closed ({status}).</source>
        <translation>ปิดการลงคะแนน #{id} แล้ว ({status})</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{authority} is not in the electorate of #{id}.</source>
        <translation>{authority} ไม่มีสิทธิ์ลงคะแนนใน #{id}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Read-only: the role of the person logged in may not vote.</source>
        <translation>อ่านอย่างเดียว: บทบาทของผู้ที่เข้าสู่ระบบไม่มีสิทธิ์ลงคะแนน</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Vote on #{id} as {authority} (signed with its HSM key):</source>
        <translation>ลงคะแนน #{id} ในนาม {authority} (ลงนามด้วยกุญแจ HSM):</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>You voted {choice}; a different vote replaces it until the deadline.</source>
        <translation>คุณลงคะแนน{choice}แล้ว ลงคะแนนใหม่แทนได้จนถึงกำหนดปิด</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>the {name} authority</source>
        <translation>หน่วยงาน {name}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Vote {choice} on proposal #{id} “{title}”?

The vote is signed with {who}&apos;s HSM key and recorded on the chain. A different vote can replace it until block {deadline}.</source>
        <translation>ลงคะแนน{choice}ต่อข้อเสนอ #{id} “{title}” หรือไม่?

คะแนนจะลงนามด้วยกุญแจ HSM ของ{who}และบันทึกบนเชน ลงคะแนนใหม่แทนได้จนถึงบล็อก {deadline}</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Submitting vote {choice} on #{id}…</source>
        <translation>กำลังส่งคะแนน{choice}ต่อ #{id}…</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>yes</source>
        <translation>เห็นด้วย</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>no</source>
        <translation>ไม่เห็นด้วย</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>abstain</source>
        <translation>งดออกเสียง</translation>
    </message>
</context>
<context>
    <name>GridChartsPanel</name>
    <message>
        <location filename="../../views/charts/grid_charts.py" line="+72"/>
        <source>Frequency</source>
        <translation>ความถี่</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Voltage</source>
        <translation>แรงดันไฟฟ้า</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Power flow</source>
        <translation>การไหลของกำลังไฟฟ้า</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>System frequency</source>
        <translation>ความถี่ระบบ</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Substation:</source>
        <translation>สถานีไฟฟ้าย่อย:</translation>
    </message>
    <message>
        <location line="+21"/>
        <location line="+138"/>
        <source>Pause</source>
        <translation>หยุดชั่วคราว</translation>
    </message>
    <message>
        <location line="-131"/>
        <source>Window:</source>
        <translation>ช่วงเวลา:</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>{n} min</source>
        <translation>{n} นาที</translation>
    </message>
    <message>
        <location line="+110"/>
        <source>{name} ({region})</source>
        <translation>{name} ({region})</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>LIVE</source>
        <translation>เรียลไทม์</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Live</source>
        <translation>เรียลไทม์</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>PAUSED: newest data not shown</source>
        <translation>หยุดชั่วคราว: ไม่แสดงข้อมูลล่าสุด</translation>
    </message>
</context>
<context>
    <name>HashLabel</name>
    <message>
        <location filename="../../views/common/hash_label.py" line="+37"/>
        <source>Copy full hash</source>
        <translation>คัดลอกแฮชเต็ม</translation>
    </message>
</context>
<context>
    <name>LanguageMenu</name>
    <message>
        <location filename="../../app/shell/i18n.py" line="+196"/>
        <source>&amp;Language / ภาษา</source>
        <translation>ภาษา / Language (&amp;L)</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>A new language applies at the next start of the console</source>
        <translation>ภาษาใหม่มีผลเมื่อเปิดคอนโซลครั้งถัดไป</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Language set to {name}; it applies at the next start of the console.</source>
        <translation>ตั้งภาษาเป็น {name} แล้ว มีผลเมื่อเปิดคอนโซลครั้งถัดไป</translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <location filename="../../app/shell/login.py" line="+61"/>
        <source>The token refused the PIN. Check it and try again.</source>
        <translation>โทเค็นปฏิเสธ PIN ตรวจสอบแล้วลองอีกครั้ง</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No token with this label is present. Insert your card, or choose or type your token&apos;s label, and try again.</source>
        <translation>ไม่พบโทเค็นที่มีป้ายชื่อนี้ เสียบบัตรของคุณ หรือเลือกหรือพิมพ์ป้ายชื่อโทเค็นของคุณ แล้วลองอีกครั้ง</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Your token holds no key of its own label. Your security administrator creates it (main.py operators init).</source>
        <translation>โทเค็นของคุณไม่มีกุญแจที่มีป้ายชื่อเดียวกับโทเค็น ผู้ดูแลความมั่นคงปลอดภัยเป็นผู้สร้าง (main.py operators init)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The key on this token is not on {authority}&apos;s roster, so it cannot be used at this console. Your security administrator enrols it.</source>
        <translation>กุญแจบนโทเค็นนี้ไม่อยู่ในทะเบียนผู้ปฏิบัติงานของ {authority} จึงใช้กับคอนโซลนี้ไม่ได้ ผู้ดูแลความมั่นคงปลอดภัยเป็นผู้ลงทะเบียน</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The node could not be asked whose key this is. Wait until it answers and try again.</source>
        <translation>ไม่สามารถสอบถามโหนดได้ว่ากุญแจนี้เป็นของใคร รอจนโหนดตอบแล้วลองอีกครั้ง</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Login failed. Correct what the message names and try again, or Cancel.</source>
        <translation>เข้าสู่ระบบไม่สำเร็จ แก้ไขสิ่งที่ข้อความระบุแล้วลองอีกครั้ง หรือกดยกเลิก</translation>
    </message>
    <message>
        <location line="+79"/>
        <source>The tokens could not be listed; type your token&apos;s label.
{detail}</source>
        <translation>ไม่สามารถแสดงรายการโทเค็นได้ พิมพ์ป้ายชื่อโทเค็นของคุณ
{detail}</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Operator login — {authority}</source>
        <translation>ผู้ปฏิบัติงานเข้าสู่ระบบ — {authority}</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Log in</source>
        <translation>เข้าสู่ระบบ</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Log in with your own token: the node&apos;s roster says who you are and what you may do.</source>
        <translation>เข้าสู่ระบบด้วยโทเค็นของคุณเอง: ทะเบียนผู้ปฏิบัติงานของโหนดระบุว่าคุณเป็นใครและทำอะไรได้บ้าง</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>DEVNET: the documented PIN of the chosen person&apos;s token is filled in.</source>
        <translation>DEVNET: กรอก PIN ตามเอกสารของโทเค็นของบุคคลที่เลือกไว้ให้แล้ว</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../app/shell/main_window.py" line="+109"/>
        <source>GridTokenX Authority Console — {authority}</source>
        <translation>คอนโซลหน่วยงานผู้มีอำนาจ GridTokenX — {authority}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source> — DEVNET</source>
        <translation> — DEVNET</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Grid simulator: starting…</source>
        <translation>ตัวจำลองโครงข่าย: กำลังเริ่ม…</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Node status</source>
        <translation>สถานะโหนด</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Block explorer</source>
        <translation>สำรวจบล็อก</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Grid telemetry</source>
        <translation>ข้อมูลตรวจวัดโครงข่าย</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Governance</source>
        <translation>การกำกับดูแล</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;View</source>
        <translation>มุมมอง (&amp;V)</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>Alarms</source>
        <translation>สัญญาณเตือน</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Emergency controls</source>
        <translation>การสั่งการฉุกเฉิน</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Alarm summary</source>
        <translation>สรุปสัญญาณเตือน</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>&amp;Operator</source>
        <translation>ผู้ปฏิบัติงาน (&amp;O)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Switch operator…</source>
        <translation>เปลี่ยนผู้ปฏิบัติงาน…</translation>
    </message>
    <message>
        <location line="+39"/>
        <source>Trading</source>
        <translation>การซื้อขาย</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>DEVNET</source>
        <translation>DEVNET</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>height — (starting…)</source>
        <translation>ความสูง — (เริ่ม…)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>authorities —</source>
        <translation>หน่วยงาน —</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>telemetry: starting…</source>
        <translation>ข้อมูลตรวจวัด: กำลังเริ่ม…</translation>
    </message>
    <message>
        <location line="+63"/>
        <source>telemetry: {where}</source>
        <translation>ข้อมูลตรวจวัด: {where}</translation>
    </message>
    <message>
        <location line="-62"/>
        <source>grid sim: starting…</source>
        <translation>ตัวจำลอง: เริ่ม…</translation>
    </message>
    <message>
        <location line="-78"/>
        <source>Log out</source>
        <translation>ออกจากระบบ</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>{name} — {role}</source>
        <translation>{name} — {role}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>logged in with token {token}</source>
        <translation>เข้าสู่ระบบด้วยโทเค็น {token}</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+51"/>
        <source>nobody logged in</source>
        <translation>ไม่มีผู้เข้าสู่ระบบ</translation>
    </message>
    <message>
        <location line="-44"/>
        <source>{action} refused — {reason}</source>
        <translation>{action} ถูกปฏิเสธ — {reason}</translation>
    </message>
    <message>
        <location line="+50"/>
        <source>devnet: no cloud backend</source>
        <translation>devnet: ไม่มีคลาวด์</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>backend: none configured</source>
        <translation>ระบบหลังบ้าน: ไม่ได้ตั้งค่า</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>starting {i}/{n}: {step}</source>
        <translation>กำลังเริ่ม {i}/{n}: {step}</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>started</source>
        <translation>เริ่มทำงานแล้ว</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>reading history…</source>
        <translation>กำลังอ่านข้อมูลย้อนหลัง…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>{name} {detail}</source>
        <translation>{name} {detail}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{a}: node down</source>
        <translation>{a}: โหนดหยุดทำงาน</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{name} restarted</source>
        <translation>{name} เริ่มทำงานใหม่แล้ว</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>waiting</source>
        <translation>รอ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>grid sim: {state}</source>
        <translation>ตัวจำลอง: {state}</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+2"/>
        <source>live</source>
        <translation>เรียลไทม์</translation>
    </message>
    <message>
        <location line="-1"/>
        <source>Grid simulator: {state}</source>
        <translation>ตัวจำลองโครงข่าย: {state}</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>height {h} · lag {lag}</source>
        <translation>ความสูง {h} · ล่าช้า {lag}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>last final block {t} ({zone}); finality lag = blocks behind the furthest peer</source>
        <translation>บล็อกยืนยันถาวรล่าสุด {t} ({zone}) ความล่าช้า = จำนวนบล็อกที่ตามหลังโหนดเพียร์ที่ไปไกลที่สุด</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>authorities {n}/{total}</source>
        <translation>หน่วยงาน {n}/{total}</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Take the authority offline?</source>
        <translation>นำหน่วยงานออกจากระบบหรือไม่?</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Closing the console stops the {a} authority node: it will stop signing blocks until the console starts again.

Stop the authority cleanly and close?</source>
        <translation>การปิดคอนโซลจะหยุดโหนดของหน่วยงาน {a} โหนดจะไม่ลงนามบล็อกจนกว่าจะเปิดคอนโซลอีกครั้ง

หยุดโหนดอย่างเรียบร้อยและปิดคอนโซลหรือไม่?</translation>
    </message>
</context>
<context>
    <name>NodeStatusPanel</name>
    <message>
        <location filename="../../views/node/node_status.py" line="+124"/>
        <source>Chain</source>
        <translation>เชน</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+50"/>
        <source>Height</source>
        <translation>ความสูงบล็อก</translation>
    </message>
    <message>
        <location line="-49"/>
        <source>Last block ({zone})</source>
        <translation>บล็อกล่าสุด ({zone})</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Since last block</source>
        <translation>นับจากบล็อกล่าสุด</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Finalized tip</source>
        <translation>บล็อกยืนยันถาวรล่าสุด</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Copy</source>
        <translation>คัดลอก</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Copy the full tip hash</source>
        <translation>คัดลอกแฮชเต็มของบล็อกล่าสุด</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Consensus</source>
        <translation>ฉันทามติ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Round</source>
        <translation>รอบ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Proposer</source>
        <translation>ผู้เสนอบล็อก</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Consensus health</source>
        <translation>ความสมบูรณ์ของฉันทามติ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Equivocations</source>
        <translation>การลงนามขัดแย้ง</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Last block proposed here</source>
        <translation>บล็อกล่าสุดที่โหนดนี้เสนอ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Tx finality p50 / p99</source>
        <translation>เวลายืนยันธุรกรรม p50 / p99</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Last block final after</source>
        <translation>บล็อกล่าสุดยืนยันถาวรหลัง</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Share of the last 100 blocks final in round 0 with every authority signing</source>
        <translation>สัดส่วนของ 100 บล็อกล่าสุดที่ยืนยันถาวรในรอบ 0 โดยทุกหน่วยงานลงนาม</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Time from the block&apos;s timestamp until this node finalized it</source>
        <translation>เวลานับจากเวลาของบล็อกจนโหนดนี้ยืนยันถาวร</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Transactions</source>
        <translation>ธุรกรรม</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Mempool</source>
        <translation>Mempool</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Finalized</source>
        <translation>ยืนยันถาวรแล้ว</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Rejected</source>
        <translation>ถูกปฏิเสธ</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Peers</source>
        <translation>โหนดเพียร์</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Connected</source>
        <translation>เชื่อมต่อ</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Authority</source>
        <translation>หน่วยงาน</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>State</source>
        <translation>สถานะ</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Last seen</source>
        <translation>พบล่าสุด</translation>
    </message>
    <message>
        <location line="+88"/>
        <source>{authority}  ·  {address}  ·  chain {chain}</source>
        <translation>{authority}  ·  {address}  ·  เชน {chain}</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>{p50} / {p99}</source>
        <translation>{p50} / {p99}</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>⚠ {value}  consensus failing</source>
        <translation>⚠ {value}  ฉันทามติล้มเหลว</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>⚠ {n}</source>
        <translation>⚠ {n}</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>{connected}/{total}</source>
        <translation>{connected}/{total}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>⚠ {count}</source>
        <translation>⚠ {count}</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>connected</source>
        <translation>เชื่อมต่ออยู่</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>✗ disconnected</source>
        <translation>✗ ขาดการเชื่อมต่อ</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>never</source>
        <translation>ไม่เคย</translation>
    </message>
</context>
<context>
    <name>ProposalDetailPane</name>
    <message>
        <location filename="../../views/governance/proposal_detail.py" line="+68"/>
        <source>Proposal</source>
        <translation>ข้อเสนอ</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Status</source>
        <translation>สถานะ</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Kind</source>
        <translation>ประเภท</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Proposer</source>
        <translation>ผู้เสนอบล็อก</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Created at block</source>
        <translation>สร้างที่บล็อก</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Deadline</source>
        <translation>กำหนดปิด</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Electorate</source>
        <translation>ผู้มีสิทธิ์ลงคะแนน</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Tally</source>
        <translation>ผลคะแนน</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>What it does</source>
        <translation>ผลของข้อเสนอ</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+17"/>
        <source>Authority</source>
        <translation>หน่วยงาน</translation>
    </message>
    <message>
        <location line="-16"/>
        <source>Address</source>
        <translation>แอดเดรส</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Public key</source>
        <translation>กุญแจสาธารณะ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Parameter</source>
        <translation>พารามิเตอร์</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>New value</source>
        <translation>ค่าใหม่</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Effect</source>
        <translation>ผลที่เกิดขึ้น</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Votes by authority</source>
        <translation>คะแนนรายหน่วยงาน</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Choice</source>
        <translation>การลงคะแนน</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Block</source>
        <translation>บล็อก</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Signature</source>
        <translation>ลายเซ็น</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>#{id} {title}</source>
        <translation>#{id} {title}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Select a proposal.</source>
        <translation>เลือกข้อเสนอ</translation>
    </message>
    <message>
        <location line="+43"/>
        <source>{n}: {names}</source>
        <translation>{n}: {names}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{tally} — passes at {quorum} yes of {n}</source>
        <translation>{tally} — ผ่านเมื่อเห็นด้วย {quorum} จาก {n}</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>block {deadline}</source>
        <translation>บล็อก {deadline}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>block {deadline} — {countdown} left</source>
        <translation>บล็อก {deadline} — เหลือ {countdown}</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>Joins the authority set from the block after execution; quorum is recomputed.</source>
        <translation>เข้าร่วมชุดหน่วยงานผู้มีอำนาจตั้งแต่บล็อกถัดจากบล็อกที่ดำเนินการ และคำนวณองค์ประชุมใหม่</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Leaves the authority set from the block after execution; quorum is recomputed.</source>
        <translation>ออกจากชุดหน่วยงานผู้มีอำนาจตั้งแต่บล็อกถัดจากบล็อกที่ดำเนินการ และคำนวณองค์ประชุมใหม่</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Applies to blocks after the executing block.</source>
        <translation>มีผลกับบล็อกหลังบล็อกที่ดำเนินการ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Records the authorities&apos; position; nothing executes.</source>
        <translation>บันทึกจุดยืนของหน่วยงาน ไม่มีการดำเนินการใด</translation>
    </message>
    <message>
        <location line="+18"/>
        <location line="+25"/>
        <source>pending</source>
        <translation>รอดำเนินการ</translation>
    </message>
    <message>
        <location line="-20"/>
        <source>not voted</source>
        <translation>ยังไม่ลงคะแนน</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>yes</source>
        <translation>เห็นด้วย</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>no</source>
        <translation>ไม่เห็นด้วย</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>abstain</source>
        <translation>งดออกเสียง</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>checking…</source>
        <translation>กำลังตรวจสอบ…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>✓ verified</source>
        <translation>✓ ตรวจสอบแล้ว</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>✗ NOT VALID</source>
        <translation>✗ ไม่ถูกต้อง</translation>
    </message>
</context>
<context>
    <name>ProposalDialog</name>
    <message>
        <location filename="../../views/governance/proposal_dialog.py" line="+74"/>
        <source>New governance proposal</source>
        <translation>ข้อเสนอการกำกับดูแลใหม่</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Action</source>
        <translation>การดำเนินการ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Title</source>
        <translation>หัวข้อ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Description</source>
        <translation>รายละเอียด</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Voting period (blocks)</source>
        <translation>ระยะเวลาลงคะแนน (บล็อก)</translation>
    </message>
    <message>
        <location line="+10"/>
        <location line="+255"/>
        <source>Submit proposal</source>
        <translation>ส่งข้อเสนอ</translation>
    </message>
    <message>
        <location line="-252"/>
        <source>The proposal is signed with this authority&apos;s HSM key.</source>
        <translation>ข้อเสนอจะลงนามด้วยกุญแจ HSM ของหน่วยงานนี้</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>04… (hex of the 65-byte uncompressed P-256 point) or -----BEGIN PUBLIC KEY-----</source>
        <translation>04… (hex ของจุด P-256 แบบไม่บีบอัด 65 ไบต์) หรือ -----BEGIN PUBLIC KEY-----</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>derived from the public key</source>
        <translation>คำนวณจากกุญแจสาธารณะ</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Authority name</source>
        <translation>ชื่อหน่วยงาน</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Public key</source>
        <translation>กุญแจสาธารณะ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Address</source>
        <translation>แอดเดรส</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Authority to remove</source>
        <translation>หน่วยงานที่จะถอดออก</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Parameter</source>
        <translation>พารามิเตอร์</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>New value</source>
        <translation>ค่าใหม่</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>A signalling proposal records the authorities&apos; position on the title and description; nothing executes when it passes.</source>
        <translation>ข้อเสนอแบบแสดงจุดยืนใช้บันทึกจุดยืนของหน่วยงานต่อหัวข้อและรายละเอียด เมื่อผ่านจะไม่มีการดำเนินการใด</translation>
    </message>
    <message>
        <location line="+43"/>
        <source>⚠ The node refused the proposal — {type}: {message}</source>
        <translation>⚠ โหนดปฏิเสธข้อเสนอ — {type}: {message}</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>A title is needed.</source>
        <translation>ต้องมีชื่อเรื่อง</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>A name is needed.</source>
        <translation>ต้องมีชื่อ</translation>
    </message>
    <message>
        <location line="-7"/>
        <source>The voting period is a whole number of blocks, {low} to {high}.</source>
        <translation>ระยะเวลาลงคะแนนเป็นจำนวนบล็อกเต็ม {low} ถึง {high}</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>{name} is already an authority.</source>
        <translation>{name} เป็นหน่วยงานผู้มีอำนาจอยู่แล้ว</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Does not match the public key: its address is {derived}.</source>
        <translation>ไม่ตรงกับกุญแจสาธารณะ: แอดเดรสของกุญแจคือ {derived}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{address} is already an authority.</source>
        <translation>{address} เป็นหน่วยงานผู้มีอำนาจอยู่แล้ว</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Paste the new authority&apos;s P-256 public key (hex or PEM).</source>
        <translation>วางกุญแจสาธารณะ P-256 ของหน่วยงานใหม่ (hex หรือ PEM)</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Not hex and not PEM: a public key is hex digits (04 followed by 128 more) or a PEM block.</source>
        <translation>ไม่ใช่ hex และไม่ใช่ PEM: กุญแจสาธารณะคือเลข hex (04 ตามด้วยอีก 128 ตัว) หรือบล็อก PEM</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Not a P-256 public key: {error}</source>
        <translation>ไม่ใช่กุญแจสาธารณะ P-256: {error}</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>No authorities known yet: wait for the node&apos;s status.</source>
        <translation>ยังไม่ทราบรายชื่อหน่วยงาน: รอสถานะจากโหนด</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The last authority cannot be removed.</source>
        <translation>ถอดหน่วยงานสุดท้ายออกไม่ได้</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>{name} takes a whole number from {low} to {high}.</source>
        <translation>{name} ต้องเป็นจำนวนเต็มตั้งแต่ {low} ถึง {high}</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>allowed: {low} to {high}</source>
        <translation>ค่าที่ใช้ได้: {low} ถึง {high}</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>≈ {time} at the current block interval</source>
        <translation>≈ {time} ตามช่วงเวลาสร้างบล็อกปัจจุบัน</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>derived: {address}</source>
        <translation>คำนวณได้: {address}</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>Submitting…</source>
        <translation>กำลังส่ง…</translation>
    </message>
</context>
<context>
    <name>ProposalTableModel</name>
    <message>
        <location filename="../../views/governance/governance_model.py" line="+229"/>
        <source>#</source>
        <translation>#</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Title</source>
        <translation>หัวข้อ</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Status</source>
        <translation>สถานะ</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Tally</source>
        <translation>ผลคะแนน</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Deadline</source>
        <translation>กำหนดปิด</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Kind</source>
        <translation>ประเภท</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Proposer</source>
        <translation>ผู้เสนอบล็อก</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>open, executed, rejected or expired. “Passed” is never a resting state: a proposal executes in the block where it passes.</source>
        <translation>เปิดลงคะแนน ดำเนินการแล้ว ถูกปฏิเสธ หรือหมดอายุ “ผ่าน” ไม่ใช่สถานะค้าง: ข้อเสนอดำเนินการในบล็อกที่ผ่านทันที</translation>
    </message>
</context>
<context>
    <name>QPlatformTheme</name>
    <message>
        <location filename="../../app/shell/i18n.py" line="-158"/>
        <source>OK</source>
        <translation>ตกลง</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Cancel</source>
        <translation>ยกเลิก</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Yes</source>
        <translation>ใช่ (&amp;Y)</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>&amp;No</source>
        <translation>ไม่ (&amp;N)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Close</source>
        <translation>ปิด</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Apply</source>
        <translation>ใช้</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Save</source>
        <translation>บันทึก</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Discard</source>
        <translation>ละทิ้ง</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Help</source>
        <translation>ช่วยเหลือ</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Reset</source>
        <translation>รีเซ็ต</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Retry</source>
        <translation>ลองใหม่</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Ignore</source>
        <translation>ข้าม</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Abort</source>
        <translation>ยกเลิกการทำงาน</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Open</source>
        <translation>เปิด</translation>
    </message>
</context>
<context>
    <name>Refusal</name>
    <message>
        <location filename="../../views/common/refusals.py" line="+32"/>
        <source>Refused by the node: your role may not do this.</source>
        <translation>โหนดปฏิเสธ: บทบาทของคุณไม่มีสิทธิ์ทำสิ่งนี้</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Refused by the node: the approving supervisor must be another person than the operator who selected and operated it (two-person rule).</source>
        <translation>โหนดปฏิเสธ: หัวหน้ากะผู้อนุมัติต้องเป็นคนละคนกับผู้ปฏิบัติงานที่เลือกและสั่งการ (กฎสองบุคคล)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Nobody is logged in at this console: log in with your own token first.</source>
        <translation>ไม่มีผู้เข้าสู่ระบบที่คอนโซลนี้: เข้าสู่ระบบด้วยโทเค็นของคุณเองก่อน</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Refused by the node: the signing key is not on this authority&apos;s roster.</source>
        <translation>โหนดปฏิเสธ: กุญแจที่ลงนามไม่อยู่ในทะเบียนผู้ปฏิบัติงานของหน่วยงานนี้</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Refused by the node: the signature does not match the request.</source>
        <translation>โหนดปฏิเสธ: ลายมือชื่อไม่ตรงกับคำขอ</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Refused by the node: the request&apos;s time is too far from the node&apos;s clock. Check this computer&apos;s clock.</source>
        <translation>โหนดปฏิเสธ: เวลาของคำขอต่างจากนาฬิกาของโหนดมากเกินไป ตรวจสอบนาฬิกาของเครื่องนี้</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Refused by the node: it had already taken this request.</source>
        <translation>โหนดปฏิเสธ: โหนดรับคำขอนี้ไปแล้ว</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The selection expired before this step: select the action again.</source>
        <translation>รายการเลือกหมดอายุก่อนถึงขั้นนี้: เลือกการสั่งการใหม่</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The action is not at a step where this can be done.</source>
        <translation>การสั่งการไม่ได้อยู่ในขั้นที่ทำสิ่งนี้ได้</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Refused: the endorsement does not sign this action as the node holds it.</source>
        <translation>ถูกปฏิเสธ: การรับรองไม่ได้ลงนามการสั่งการนี้ตามที่โหนดถืออยู่</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The node does not answer: the request was not taken.</source>
        <translation>โหนดไม่ตอบ: คำขอไม่ได้ถูกรับ</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The connection to the node was lost: check the action&apos;s state before asking again.</source>
        <translation>การเชื่อมต่อกับโหนดขาดหาย: ตรวจสอบสถานะของการสั่งการก่อนขอใหม่</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The node did not answer in time: check the action&apos;s state before asking again.</source>
        <translation>โหนดไม่ตอบทันเวลา: ตรวจสอบสถานะของการสั่งการก่อนขอใหม่</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Your token could not sign: log in again.</source>
        <translation>โทเค็นของคุณลงนามไม่ได้: เข้าสู่ระบบใหม่</translation>
    </message>
</context>
<context>
    <name>Role</name>
    <message>
        <location line="+9"/>
        <source>viewer</source>
        <translation>ผู้ดู</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>operator</source>
        <translation>ผู้ปฏิบัติงาน</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>supervisor</source>
        <translation>หัวหน้ากะ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>engineer</source>
        <translation>วิศวกร</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>security administrator</source>
        <translation>ผู้ดูแลความมั่นคงปลอดภัย</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>auditor</source>
        <translation>ผู้ตรวจสอบ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>grid feed</source>
        <translation>ฟีดข้อมูลโครงข่าย</translation>
    </message>
</context>
<context>
    <name>ShelveDialog</name>
    <message>
        <location filename="../../views/alarms/alarm_list.py" line="-273"/>
        <source>Shelve alarms</source>
        <translation>พักสัญญาณเตือน</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Instrument fault, work order raised</source>
        <translation>อุปกรณ์วัดขัดข้อง ออกใบสั่งงานแล้ว</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Maintenance in progress</source>
        <translation>อยู่ระหว่างบำรุงรักษา</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Nuisance alarm under review</source>
        <translation>สัญญาณเตือนรบกวน อยู่ระหว่างทบทวน</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Reason (required)</source>
        <translation>เหตุผล (จำเป็น)</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>{n} alarm(s)</source>
        <translation>สัญญาณเตือน {n} รายการ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reason</source>
        <translation>เหตุผล</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Duration</source>
        <translation>ระยะเวลา</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>{n} min</source>
        <translation>{n} นาที</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{n} h</source>
        <translation>{n} ชม.</translation>
    </message>
</context>
<context>
    <name>StartupFailure</name>
    <message>
        <location filename="../../app/shell/startup_failure.py" line="+42"/>
        <source>{what}: {detail}
What to do: {todo}</source>
        <translation>{what}: {detail}
สิ่งที่ต้องทำ: {todo}</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>An authority node did not answer in time</source>
        <translation>โหนดของหน่วยงานไม่ตอบสนองภายในเวลาที่กำหนด</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>read the node&apos;s log named above; if the machine is busy, start the console again.</source>
        <translation>อ่านบันทึกของโหนดตามที่ระบุไว้ข้างต้น หากเครื่องทำงานหนัก ให้เริ่มคอนโซลอีกครั้ง</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The gcp profile is not valid</source>
        <translation>โปรไฟล์ gcp ไม่ถูกต้อง</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>correct the settings listed (`main.py config check FILE` checks them), then start the console again.</source>
        <translation>แก้ไขค่าที่ระบุไว้ (ตรวจได้ด้วย `main.py config check FILE`) แล้วเริ่มคอนโซลอีกครั้ง</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>A file, directory or port could not be used</source>
        <translation>ไม่สามารถใช้ไฟล์ ไดเรกทอรี หรือพอร์ตได้</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>check the path and its permissions (--data-dir), or stop the program that holds the port, then start the console again.</source>
        <translation>ตรวจสอบพาธและสิทธิ์การเข้าถึง (--data-dir) หรือหยุดโปรแกรมที่ใช้พอร์ตอยู่ แล้วเริ่มคอนโซลอีกครั้ง</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Start-up failed</source>
        <translation>การเริ่มระบบล้มเหลว</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>correct what the message names, then start the console again (README › Troubleshooting).</source>
        <translation>แก้ไขสิ่งที่ข้อความระบุ แล้วเริ่มคอนโซลอีกครั้ง (README › Troubleshooting)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Start-up failed unexpectedly ({kind})</source>
        <translation>การเริ่มระบบล้มเหลวโดยไม่คาดคิด ({kind})</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>start the console again; if it fails again, report it with the console&apos;s log.</source>
        <translation>เริ่มคอนโซลอีกครั้ง หากยังล้มเหลว ให้แจ้งปัญหาพร้อมบันทึกของคอนโซล</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>The operator&apos;s token was not found</source>
        <translation>ไม่พบโทเค็นของผู้ปฏิบัติงาน</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>insert the operator&apos;s card, or check the PKCS#11 module in the node config&apos;s [signer]; on the devnet check that {conf} exists.</source>
        <translation>เสียบบัตรของผู้ปฏิบัติงาน หรือตรวจสอบโมดูล PKCS#11 ใน [signer] ของไฟล์ตั้งค่าโหนด สำหรับ devnet ตรวจสอบว่ามี {conf} อยู่</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The operator&apos;s token refused the PIN</source>
        <translation>โทเค็นของผู้ปฏิบัติงานปฏิเสธ PIN</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>start the console again and enter your own token&apos;s PIN (devnet: README › The devnet); a locked token must be reset by its security officer.</source>
        <translation>เริ่มคอนโซลอีกครั้งแล้วป้อน PIN ของโทเค็นของคุณเอง (devnet: README › The devnet) โทเค็นที่ถูกล็อกต้องให้เจ้าหน้าที่ความปลอดภัยของโทเค็นรีเซ็ต</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The operator&apos;s key is not on their token</source>
        <translation>ไม่มีกุญแจของผู้ปฏิบัติงานบนโทเค็นของตน</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>create it with `main.py operators init NAME` and have the security administrator enrol it (README › Logging in at the console).</source>
        <translation>สร้างด้วย `main.py operators init NAME` แล้วให้ผู้ดูแลความมั่นคงปลอดภัยลงทะเบียน (README › Logging in at the console)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The operator&apos;s key is not on the roster</source>
        <translation>กุญแจของผู้ปฏิบัติงานไม่อยู่ในทะเบียนผู้ปฏิบัติงาน</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the security administrator enrols it (`main.py roster add`), or log in with another person&apos;s token.</source>
        <translation>ผู้ดูแลความมั่นคงปลอดภัยลงทะเบียนกุญแจ (`main.py roster add`) หรือเข้าสู่ระบบด้วยโทเค็นของบุคคลอื่น</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The node config is not valid</source>
        <translation>ไฟล์ตั้งค่าโหนดไม่ถูกต้อง</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>correct the settings listed, then start the console again.</source>
        <translation>แก้ไขค่าที่ระบุไว้ แล้วเริ่มคอนโซลอีกครั้ง</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The HSM could not be used</source>
        <translation>ไม่สามารถใช้ HSM ได้</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>correct what the message names (module path, SoftHSM2 installation, token), then start the console again.</source>
        <translation>แก้ไขสิ่งที่ข้อความระบุ (พาธของโมดูล การติดตั้ง SoftHSM2 โทเค็น) แล้วเริ่มคอนโซลอีกครั้ง</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>An authority node could not open its port</source>
        <translation>โหนดของหน่วยงานเปิดพอร์ตไม่ได้</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>another console, devnet or program uses it: stop that one, or start this console with its own --data-dir and --base-port.</source>
        <translation>คอนโซล devnet หรือโปรแกรมอื่นใช้พอร์ตนี้อยู่: หยุดโปรแกรมนั้น หรือเริ่มคอนโซลนี้ด้วย --data-dir และ --base-port ของตัวเอง</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>An authority node stopped during start-up</source>
        <translation>โหนดของหน่วยงานหยุดทำงานระหว่างการเริ่มระบบ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>read the end of the node&apos;s log named above for the cause (README › Troubleshooting), correct it, and start the console again.</source>
        <translation>อ่านท้ายบันทึกของโหนดตามที่ระบุไว้ข้างต้นเพื่อหาสาเหตุ (README › Troubleshooting) แก้ไข แล้วเริ่มคอนโซลอีกครั้ง</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The data in {dir} was made by an older version or is damaged</source>
        <translation>ข้อมูลใน {dir} สร้างโดยเวอร์ชันเก่าหรือเสียหาย</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>for a devnet: close the console, move {dir} aside (or delete it: a new chain is made), and start again; for a configured node, name the network&apos;s genesis file in its config, or restore the data directory from a backup.</source>
        <translation>สำหรับ devnet: ปิดคอนโซล ย้าย {dir} ออกไป (หรือลบทิ้ง: จะสร้างเชนใหม่) แล้วเริ่มอีกครั้ง สำหรับโหนดที่ตั้งค่าไว้ ให้ระบุไฟล์ genesis ของเครือข่ายในไฟล์ตั้งค่า หรือกู้คืนไดเรกทอรีข้อมูลจากข้อมูลสำรอง</translation>
    </message>
</context>
<context>
    <name>TelemetryLink</name>
    <message>
        <location filename="../../app/links/telemetry_link.py" line="+111"/>
        <source>SQLite (devnet)</source>
        <translation>SQLite (devnet)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Bigtable {instance}</source>
        <translation>Bigtable {instance}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>emulator {instance}</source>
        <translation>อีมูเลเตอร์ {instance}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Bigtable emulator at {host}: {path}</source>
        <translation>อีมูเลเตอร์ Bigtable ที่ {host}: {path}</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>none</source>
        <translation>ไม่มี</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>{where} · unreachable</source>
        <translation>{where} · เชื่อมต่อไม่ได้</translation>
    </message>
    <message>
        <location line="+28"/>
        <location line="+24"/>
        <source>waiting for grid simulator</source>
        <translation>รอตัวจำลองโครงข่าย</translation>
    </message>
    <message>
        <location line="-8"/>
        <source>live</source>
        <translation>เรียลไทม์</translation>
    </message>
</context>
<context>
    <name>TelemetryPlot</name>
    <message>
        <location filename="../../views/charts/telemetry_plot.py" line="+181"/>
        <source>Time ({zone}, {offset})</source>
        <translation>เวลา ({zone}, {offset})</translation>
    </message>
    <message>
        <location line="+204"/>
        <source>{time} {zone}</source>
        <translation>{time} {zone}</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>{series}: {value} {unit}</source>
        <translation>{series}: {value} {unit}</translation>
    </message>
    <message>
        <location line="+66"/>
        <source>{label} (+{n} more)</source>
        <translation>{label} (+อีก {n} รายการ)</translation>
    </message>
</context>
<context>
    <name>TextRoom</name>
    <message>
        <location filename="../../views/common/text_room.py" line="+62"/>
        <source>⚠ Stopped at the limit of {max} bytes (about {thai} Thai characters): the rest was not added.</source>
        <translation>⚠ หยุดที่ขีดจำกัด {max} ไบต์ (ประมาณ {thai} ตัวอักษรไทย): ข้อความส่วนที่เกินไม่ถูกเพิ่ม</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{left} of {max} bytes left (a Thai character takes 3)</source>
        <translation>เหลือ {left} จาก {max} ไบต์ (ตัวอักษรไทยใช้ 3 ไบต์)</translation>
    </message>
</context>
<context>
    <name>TimelineReport</name>
    <message>
        <location filename="../../views/timeline/timeline_chart.py" line="+116"/>
        <source>Frequency (Hz)</source>
        <translation>ความถี่ (Hz)</translation>
    </message>
    <message>
        <location filename="../../views/timeline/timeline_report.py" line="+28"/>
        <source>GridTokenX incident report</source>
        <translation>รายงานเหตุการณ์ GridTokenX</translation>
    </message>
    <message>
        <location line="+63"/>
        <source>{title} (continued, {n} of {total})</source>
        <translation>{title} (ต่อ หน้า {n} จาก {total})</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>Incident report — summary</source>
        <translation>รายงานเหตุการณ์ — สรุป</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Window (UTC ms): {start} – {end}</source>
        <translation>ช่วงเวลา (UTC ms): {start} – {end}</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Authority: {a}</source>
        <translation>หน่วยงาน: {a}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Chain id: {c}</source>
        <translation>รหัสเชน: {c}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>System frequency: {n} samples, minimum {low} Hz, maximum {high} Hz</source>
        <translation>ความถี่ระบบ: {n} ค่า ต่ำสุด {low} Hz สูงสุด {high} Hz</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>{kind} events: {n}</source>
        <translation>เหตุการณ์{kind}: {n}</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Sequence of events (first {n}):</source>
        <translation>ลำดับเหตุการณ์ ({n} รายการแรก):</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>System frequency</source>
        <translation>ความถี่ระบบ</translation>
    </message>
    <message>
        <location filename="../../views/timeline/timeline_chart.py" line="+1"/>
        <source>Time ({zone}, {offset})</source>
        <translation>เวลา ({zone}, {offset})</translation>
    </message>
    <message>
        <location filename="../../views/timeline/timeline_report.py" line="-54"/>
        <source>Window: {start} – {end} ({zone} time, {offset})</source>
        <translation>ช่วงเวลา: {start} – {end} (เวลา{zone}, {offset})</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>Generated {now} ({zone} time) by the GridTokenX Authority Console.</source>
        <translation>สร้างเมื่อ {now} (เวลา{zone}) โดยคอนโซลหน่วยงานผู้มีอำนาจ GridTokenX</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>Vertical lines: alarms (priority colour), operator actions, emergency and governance events on chain. Time axis in {zone} time.</source>
        <translation>เส้นแนวตั้ง: สัญญาณเตือน (สีตามระดับ) การกระทำของผู้ปฏิบัติงาน เหตุการณ์ฉุกเฉินและการกำกับดูแลบนเชน แกนเวลาเป็นเวลา{zone}</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Alarms</source>
        <translation>สัญญาณเตือน</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No alarm changed state in this window.</source>
        <translation>ไม่มีสัญญาณเตือนเปลี่ยนสถานะในช่วงเวลานี้</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Operator actions</source>
        <translation>การกระทำของผู้ปฏิบัติงาน</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No operator action was recorded in this window.</source>
        <translation>ไม่มีการกระทำของผู้ปฏิบัติงานที่บันทึกไว้ในช่วงเวลานี้</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Chain events</source>
        <translation>เหตุการณ์บนเชน</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No block was finalized in this window.</source>
        <translation>ไม่มีบล็อกที่ยืนยันถาวรในช่วงเวลานี้</translation>
    </message>
</context>
<context>
    <name>TimelineView</name>
    <message>
        <location filename="../../views/timeline/timeline_view.py" line="+108"/>
        <source>Load window</source>
        <translation>โหลดช่วงเวลา</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Export report (PDF)…</source>
        <translation>ส่งออกรายงาน (PDF)…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>to</source>
        <translation>ถึง</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Frequency (Hz)</source>
        <translation>ความถี่ (Hz)</translation>
    </message>
    <message>
        <location line="-10"/>
        <source>From ({zone})</source>
        <translation>จาก ({zone})</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Time ({zone}, {offset})</source>
        <translation>เวลา ({zone}, {offset})</translation>
    </message>
    <message>
        <location line="+13"/>
        <location line="+119"/>
        <source>Play</source>
        <translation>เล่น</translation>
    </message>
    <message>
        <location line="-114"/>
        <source>{n}×</source>
        <translation>{n}×</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Choose a window and load it.</source>
        <translation>เลือกช่วงเวลาแล้วกดโหลด</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Speed</source>
        <translation>ความเร็ว</translation>
    </message>
    <message>
        <location line="+44"/>
        <source>The window ends before it starts: set “to” later than “from”.</source>
        <translation>ช่วงเวลาสิ้นสุดก่อนเริ่ม: ตั้ง “ถึง” ให้หลัง “จาก”</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Loading {start} – {end}…</source>
        <translation>กำลังโหลด {start} – {end}…</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>The window was not loaded: {error}. Check that the node is running, then load again.</source>
        <translation>โหลดช่วงเวลาไม่สำเร็จ: {error} ตรวจสอบว่าโหนดทำงานอยู่ แล้วโหลดใหม่</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>{events} events, {samples} frequency samples in the window. Press Play to replay it.</source>
        <translation>ในช่วงเวลานี้มี {events} เหตุการณ์ ค่าความถี่ {samples} ค่า กด เล่น เพื่อเล่นย้อนเหตุการณ์</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Pause</source>
        <translation>หยุดชั่วคราว</translation>
    </message>
    <message>
        <location line="+59"/>
        <source>{time} · {passed}/{total} events</source>
        <translation>{time} · เหตุการณ์ {passed}/{total}</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Export incident report</source>
        <translation>ส่งออกรายงานเหตุการณ์</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>PDF documents (*.pdf)</source>
        <translation>เอกสาร PDF (*.pdf)</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>The report was not written to {path}: {error}. Choose a folder you can write to.</source>
        <translation>เขียนรายงานลง {path} ไม่สำเร็จ: {error} เลือกโฟลเดอร์ที่มีสิทธิ์เขียน</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Report written: {path} ({n} pages).</source>
        <translation>เขียนรายงานแล้ว: {path} ({n} หน้า)</translation>
    </message>
    <message>
        <location filename="../../views/timeline/timeline_chart.py" line="-13"/>
        <source>{kind} ×{n}</source>
        <translation>{kind} ×{n}</translation>
    </message>
</context>
<context>
    <name>TokenForm</name>
    <message>
        <location filename="../../app/shell/login.py" line="-77"/>
        <source>Your token:</source>
        <translation>โทเค็นของคุณ:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>PIN:</source>
        <translation>PIN:</translation>
    </message>
</context>
<context>
    <name>TradingOverviewView</name>
    <message>
        <location filename="../../views/trading/trading_overview.py" line="+37"/>
        <source>waiting for the node…</source>
        <translation>รอโหนด…</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Source</source>
        <translation>แหล่งข้อมูล</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Orders per second</source>
        <translation>คำสั่งซื้อขายต่อวินาที</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+4"/>
        <source>Volume (kWh)</source>
        <translation>ปริมาณซื้อขาย (kWh)</translation>
    </message>
    <message>
        <location line="-3"/>
        <location line="+4"/>
        <source>Market</source>
        <translation>ตลาด</translation>
    </message>
    <message>
        <location line="-3"/>
        <source>As of</source>
        <translation>ณ เวลา</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Region</source>
        <translation>ภูมิภาค</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Price (THB/kWh)</source>
        <translation>ราคา (THB/kWh)</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>backend API</source>
        <translation>API ระบบหลังบ้าน</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>this node&apos;s chain (backend unreachable)</source>
        <translation>เชนของโหนดนี้ (ติดต่อระบบหลังบ้านไม่ได้)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>this node&apos;s chain, last {s} s</source>
        <translation>เชนของโหนดนี้ {s} s ล่าสุด</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>this node&apos;s chain</source>
        <translation>เชนของโหนดนี้</translation>
    </message>
    <message>
        <location line="+5"/>
        <location line="+12"/>
        <source>✗ HALTED</source>
        <translation>✗ หยุดการซื้อขาย</translation>
    </message>
    <message>
        <location line="-12"/>
        <location line="+12"/>
        <source>trading</source>
        <translation>ซื้อขายปกติ</translation>
    </message>
</context>
<context>
    <name>formatting</name>
    <message>
        <location filename="../../views/common/formatting.py" line="+71"/>
        <source>Bangkok</source>
        <translation>กรุงเทพฯ</translation>
    </message>
    <message>
        <location line="+93"/>
        <source>{n} s ago</source>
        <translation>{n} วินาทีที่แล้ว</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{n} min ago</source>
        <translation>{n} นาทีที่แล้ว</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{n} h ago</source>
        <translation>{n} ชม. ที่แล้ว</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{n} d ago</source>
        <translation>{n} วันที่แล้ว</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>{n} ms</source>
        <translation>{n} ms</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{n} s</source>
        <translation>{n} s</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{m} min {s} s</source>
        <translation>{m} นาที {s} วินาที</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{h} h {m} min</source>
        <translation>{h} ชม. {m} นาที</translation>
    </message>
</context>
<context>
    <name>governance</name>
    <message>
        <location filename="../../views/governance/governance_model.py" line="-178"/>
        <source>yes {yes}/{quorum} · no {no} · abstain {abstain}</source>
        <translation>เห็นด้วย {yes}/{quorum} · ไม่เห็นด้วย {no} · งดออกเสียง {abstain}</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>yes {yes}/{quorum}</source>
        <translation>เห็นด้วย {yes}/{quorum}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>no {n}</source>
        <translation>ไม่เห็นด้วย {n}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>abstain {n}</source>
        <translation>งดออกเสียง {n}</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>{yes} yes, {no} no, {abstain} abstain of {n} authorities. Passes with {quorum} yes votes (quorum ⌈2n/3⌉); abstaining counts as not-yes.</source>
        <translation>เห็นด้วย {yes} ไม่เห็นด้วย {no} งดออกเสียง {abstain} จาก {n} หน่วยงาน ผ่านเมื่อเห็นด้วย {quorum} เสียง (องค์ประชุม ⌈2n/3⌉) งดออกเสียงนับเป็นไม่เห็นด้วย</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Add authority</source>
        <translation>เพิ่มหน่วยงาน</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Remove authority</source>
        <translation>ถอดหน่วยงาน</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Parameter change</source>
        <translation>เปลี่ยนพารามิเตอร์</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Signal</source>
        <translation>แสดงจุดยืน</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>open</source>
        <translation>เปิดลงคะแนน</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>executed at {h}</source>
        <translation>ดำเนินการที่บล็อก {h}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>rejected at {h}</source>
        <translation>ถูกปฏิเสธที่บล็อก {h}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>expired at {h}</source>
        <translation>หมดอายุที่บล็อก {h}</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Open for votes until block {deadline}. It passes, and executes in the same block, when the yes votes reach the quorum.</source>
        <translation>เปิดลงคะแนนถึงบล็อก {deadline} ข้อเสนอผ่านและดำเนินการในบล็อกเดียวกันเมื่อคะแนนเห็นด้วยถึงองค์ประชุม</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Passed and executed in block {h}. A proposal executes at the end of the block that carries its deciding vote, so “passed” is never a resting state: it goes from open to executed.</source>
        <translation>ผ่านและดำเนินการแล้วในบล็อก {h} ข้อเสนอดำเนินการเมื่อจบบล็อกที่มีคะแนนชี้ขาด “ผ่าน” จึงไม่ใช่สถานะค้าง: เปลี่ยนจากเปิดลงคะแนนเป็นดำเนินการแล้วทันที</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Rejected in block {h}: {reason}</source>
        <translation>ถูกปฏิเสธในบล็อก {h}: {reason}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Expired at the end of block {h}: the deadline passed without a quorum.</source>
        <translation>หมดอายุเมื่อจบบล็อก {h}: เลยกำหนดปิดโดยไม่ครบองค์ประชุม</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>{n} s</source>
        <translation>{n} วินาที</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>1 block</source>
        <translation>1 บล็อก</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{n} blocks</source>
        <translation>{n} บล็อก</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{blocks} ≈ {time}</source>
        <translation>{blocks} ≈ {time}</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Voting ended; the deadline was block {deadline}.</source>
        <translation>ปิดการลงคะแนนแล้ว กำหนดปิดคือบล็อก {deadline}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Votes are accepted up to block {deadline} (now {now}). The time is an estimate, blocks × block interval ({interval} ms): a chain that makes no empty blocks advances only with transactions, so the deadline may come later.</source>
        <translation>รับคะแนนถึงบล็อก {deadline} (ขณะนี้ {now}) เวลาเป็นค่าประมาณ จำนวนบล็อก × ช่วงเวลาสร้างบล็อก ({interval} ms): เชนที่ไม่สร้างบล็อกว่างจะเดินหน้าเมื่อมีธุรกรรมเท่านั้น กำหนดปิดจึงอาจช้ากว่านี้</translation>
    </message>
</context>
<context>
    <name>window</name>
    <message>
        <location filename="../../app/shell/about.py" line="+9"/>
        <source>Help</source>
        <translation>ช่วยเหลือ</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;Help</source>
        <translation>ช่วยเหลือ (&amp;H)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;About GridTokenX Authority Console</source>
        <translation>เกี่ยวกับคอนโซลหน่วยงานผู้มีอำนาจ GridTokenX (&amp;A)</translation>
    </message>
    <message>
        <location filename="../../app/links/timeline_link.py" line="+172"/>
        <source>Timeline</source>
        <translation>ลำดับเหตุการณ์</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>View</source>
        <translation>มุมมอง</translation>
    </message>
</context>
</TS>
